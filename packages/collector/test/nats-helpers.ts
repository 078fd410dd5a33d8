import { connect, type StoredMsg } from 'nats';

/** NATS with JetStream on this machine (CI starts it). */
export const natsUrl = process.env.OPTIN_TEST_NATS ?? 'nats://127.0.0.1:4222';

/** Whether NATS answers with JetStream enabled (tests skip with a printed reason only when it does not). */
export async function jetStreamAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 2000, reconnect: false });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

/** Deletes a stream of the tests (no error when it is already gone). */
export async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** The last message of `stream` on `subject` (read on a connection of its own). */
export async function lastMessage(stream: string, subject: string): Promise<StoredMsg> {
  const nc = await connect({ servers: natsUrl });
  try {
    return await (await nc.jetstreamManager()).streams.getMessage(stream, { last_by_subj: subject });
  } finally {
    await nc.close();
  }
}
