import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureSdk, loadFixture } from '../../../test/fixtures/load.js';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { findAttachmentsByEvent } from '../../store/region/attachments.js';

const EVENT_ID = 'cccccccccccccccccccccccccccccccc';

describe.each(TEST_ENGINES)('attachment digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const fixtures: {
    sdk: FixtureSdk;
    eventId: string;
    files: { name: string; contentType: string; bytes: Buffer }[];
  }[] = [
    {
      sdk: 'node',
      eventId: '530869c71c36492fbe1794b53214626b',
      files: [
        { name: 'notes.txt', contentType: 'text/plain', bytes: Buffer.from('line one\nline two\n') },
        {
          name: 'blob.bin',
          contentType: 'application/octet-stream',
          bytes: Buffer.from([0, 10, 255, 13, 10, 1]),
        },
      ],
    },
    {
      sdk: 'python',
      eventId: '3eca87c445c943cb9ee25964c380712d',
      files: [{ name: 'notes.txt', contentType: 'text/plain', bytes: Buffer.from('line one\nline two\n') }],
    },
  ];

  it.each(fixtures)('stores the $sdk fixture attachments byte for byte', async (f) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, loadFixture(f.sdk, 'attachment.event+attachment').body);
    const stored = await findAttachmentsByEvent(world.db, projectId, f.eventId);
    expect(
      stored.map((a) => ({ name: a.name, contentType: a.contentType, type: a.attachmentType, size: a.size })),
    ).toEqual(
      f.files.map((file) => ({
        name: file.name,
        contentType: file.contentType,
        type: 'event.attachment',
        size: file.bytes.length,
      })),
    );
    stored.forEach((a, i) => {
      expect(Buffer.from(a.data).equals(f.files[i]!.bytes)).toBe(true);
      expect(a.dateCreated).toBe(FIXTURE_RECEIVED_AT);
    });
  });

  it('keeps the attachment type and content type from the item headers', async () => {
    const projectId = await world.newProject();
    const bytes = Buffer.from('MDMP\u0000\u0001minidump\n');
    const body = serializeEnvelope({
      headers: { event_id: EVENT_ID },
      items: [
        {
          headers: {
            type: 'attachment',
            filename: 'crash.dmp',
            content_type: 'application/x-dmp',
            attachment_type: 'event.minidump',
          },
          payload: bytes,
        },
        { headers: { type: 'attachment', filename: 'b.txt' }, payload: 'second' },
      ],
    });
    await digestBody(world, projectId, body);
    const stored = await findAttachmentsByEvent(world.db, projectId, EVENT_ID);
    expect(stored.map((a) => [a.name, a.contentType, a.attachmentType, a.size])).toEqual([
      ['crash.dmp', 'application/x-dmp', 'event.minidump', bytes.length],
      ['b.txt', 'application/octet-stream', 'event.attachment', 6],
    ]);
    expect(Buffer.from(stored[0]!.data).equals(bytes)).toBe(true);
  });

  it('stores an empty attachment and names one sent without a filename', async () => {
    const projectId = await world.newProject();
    const body = serializeEnvelope({
      headers: { event_id: EVENT_ID },
      items: [{ headers: { type: 'attachment', length: 0 }, payload: Buffer.alloc(0) }],
    });
    await digestBody(world, projectId, body);
    const [stored] = await findAttachmentsByEvent(world.db, projectId, EVENT_ID);
    expect(stored).toMatchObject({ name: 'attachment', contentType: 'application/octet-stream', size: 0 });
  });

  it('skips attachments of an envelope that names no event', async () => {
    const projectId = await world.newProject();
    const body = serializeEnvelope({
      headers: {},
      items: [{ headers: { type: 'attachment', filename: 'a.txt' }, payload: 'orphan' }],
    });
    await digestBody(world, projectId, body);
    expect(await countRows(world, 'attachments', projectId)).toBe(0);
  });
});
