import type { Store, Tx } from './store';

export interface LoggedAnswer {
  digest: string;
  code: 'AA' | 'AE' | 'AR';
  text: string;
}

/** HL7 messages that stored observations, by equipment and message control id (MSH-10). */
export interface Hl7MessageRepo {
  get(deviceId: number, controlId: string): Promise<LoggedAnswer | null>;
  /** Runs inside the write-queue transaction; a message already logged is kept as it was. */
  insert(trx: Tx, deviceId: number, controlId: string, sessionId: string, answer: LoggedAnswer, at: number): Promise<void>;
}

export function hl7MessageRepo(store: Store): Hl7MessageRepo {
  return {
    async get(deviceId, controlId) {
      const r = await store.db
        .selectFrom('hl7_messages')
        .select(['digest', 'ack_code', 'ack_text'])
        .where('device_id', '=', deviceId)
        .where('control_id', '=', controlId)
        .executeTakeFirst();
      return r ? { digest: r.digest, code: r.ack_code as LoggedAnswer['code'], text: r.ack_text } : null;
    },
    async insert(trx, deviceId, controlId, sessionId, answer, at) {
      await trx
        .insertInto('hl7_messages')
        .values({ device_id: deviceId, control_id: controlId, digest: answer.digest, session_id: sessionId, ack_code: answer.code, ack_text: answer.text, received_at: at })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
  };
}
