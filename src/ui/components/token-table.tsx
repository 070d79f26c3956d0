import { dateTime, timeAgo } from '../lib/format.js';
import { ConfirmButton } from './confirm-button.js';

interface TokenRow {
  id: string;
  name: string | null;
  scopes: string[];
  dateCreated: string;
  dateLastUsed: string | null;
  tokenLastCharacters: string;
  expiresAt?: string | null;
}

/** Tokens with their scopes and last use, each with a Revoke button (personal and organization tokens). */
export function TokenTable<T extends TokenRow>({
  tokens,
  onRevoke,
  mayRevoke = true,
}: {
  tokens: T[];
  onRevoke: (token: T) => Promise<unknown>;
  mayRevoke?: boolean;
}) {
  return (
    <div className="table-scroll">
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>
                {t.name ?? <span className="muted">(no name)</span>}
                <div className="muted">
                  <code>…{t.tokenLastCharacters}</code>
                  {t.expiresAt ? ` · expires ${dateTime(t.expiresAt)}` : ''}
                </div>
              </td>
              <td>
                <ul className="scope-list">
                  {t.scopes.map((s) => (
                    <li key={s}>
                      <code>{s}</code>
                    </li>
                  ))}
                </ul>
              </td>
              <td title={dateTime(t.dateCreated)}>{timeAgo(t.dateCreated)}</td>
              <td title={t.dateLastUsed ? dateTime(t.dateLastUsed) : undefined}>
                {t.dateLastUsed ? timeAgo(t.dateLastUsed) : 'never'}
              </td>
              <td>
                <ConfirmButton
                  label="Revoke"
                  title={`Revoke ${t.name ?? `token …${t.tokenLastCharacters}`}?`}
                  danger
                  disabled={!mayRevoke}
                  onConfirm={() => onRevoke(t)}
                >
                  <p>Scripts using it will get 401 from now on. This cannot be undone.</p>
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
