// A notification to deliver, as evaluation decides it inside the digest transaction and the outbox
// keeps it until a delivery worker has sent it (or given up). Rendered when decided: the worker
// sends what is here and reads nothing else.

export type Channel = 'email' | 'webhook' | 'slack' | 'discord' | 'teams';

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface HttpMessage {
  readonly url: string;
  /** The JSON body to post. */
  readonly body: unknown;
}

export type NewNotification =
  | {
      readonly channel: 'email';
      readonly message: EmailMessage;
      readonly ruleId: number | null;
      readonly projectId: number | null;
      readonly issueId: number | null;
    }
  | {
      readonly channel: 'webhook' | 'slack' | 'discord' | 'teams';
      readonly message: HttpMessage;
      readonly ruleId: number | null;
      readonly projectId: number | null;
      readonly issueId: number | null;
    };
