// The connection node-postgres talks to PGlite through, in place of PGlite's own
// (`@electric-sql/pglite/node-postgres`): the same messages each way, read with node-postgres's own
// protocol parser (`pg-protocol`, as it reads a server's socket) instead of PGlite's copy of it.
//
// Why: PGlite's copy reads every field of every row by copying it into an ArrayBuffer of its own
// before decoding it (`BufferReader.bytes`), where pg-protocol decodes the field where it lies
// (`Buffer.toString`). Reading many rows, that copy was most of the cost: 60% of the CPU of the
// dashboard's indicators off target at 1,000 priorities was PGlite's reader, a quarter of it
// that copy alone (bench/README.md, "Rows read by node-postgres's parser on PGlite"). What the
// database does is unchanged: each message is handed to `execProtocolRawStream`, as PGlite's connection
// hands it to `execProtocolStream`, one after another; what it answers is read as it is written.
//
// node-postgres takes a connection object through its undocumented `connection` option (PGlite's
// adapter does the same); a pool of one client at a time, as PGlite has one session.
//
// PGlite runs in this process, on its event loop, and answers without waiting for any I/O: a chain
// of statements (a job's batches, a long request) resolved promise after promise and never let the
// loop turn, so every other request, timer and /health waited for the whole chain (an import of
// 50,000 values held it 2.5–2.7 s). The connection now gives the loop a turn before a message once
// `TURN_EVERY_MS` have passed since its last turn (`platform/turns.ts`, ADR 0025).

import { EventEmitter } from 'node:events';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import type { PGlite } from '@electric-sql/pglite';
import { loopTurns } from '../turns.ts';

type Serialize = typeof serialize;

export class PgliteConnection extends EventEmitter {
  readonly #pglite: PGlite;
  #queue: Promise<unknown>;
  #parser = new Parser();
  /** Gives the event loop a turn once the messages since its last have held it TURN_EVERY_MS. */
  readonly #turn = loopTurns();
  // Checked by pg's Client.end(), which skips connection.end() without it.
  _connecting = false;
  // pg's Client.end() destroys the stream when a query is still active.
  readonly stream = { destroy: () => this.end() };
  // Kept by pg's Client on its connection: the statements prepared in this session.
  parsedStatements: Record<string, string> = {};
  submittedNamedStatements: Record<string, unknown> = {};

  constructor(pglite: PGlite) {
    super();
    this.#pglite = pglite;
    this.#queue = pglite.waitReady;
  }

  /** Hands `message` to the database after those before it, and emits what it answers, message by message. */
  #send(message: Uint8Array): void {
    this.#queue = this.#queue
      .then(async () => {
        await this.#turn();
        // What PostgreSQL writes comes as views of PGlite's memory, which its next write reuses:
        // each is copied as it comes (`execProtocolRaw` would also parse it with PGlite's reader).
        const answer: Buffer[] = [];
        await this.#pglite.execProtocolRawStream(message, { onRawData: (bytes) => answer.push(Buffer.from(bytes)) });
        for (const chunk of answer)
          this.#parser.parse(chunk, (m: BackendMessage) =>
            // node-postgres expects an ErrorResponse as 'errorMessage', as its own connection emits it.
            this.emit(m.name === 'error' ? 'errorMessage' : m.name, m),
          );
      })
      .catch((error: unknown) => {
        // A message cut short would leave the parser waiting for its rest: start again.
        this.#parser = new Parser();
        this.emit('error', error);
      });
  }

  /**
   * Resolves once every message handed to it so far has been answered: PGlite is closed only then.
   * A message may be waiting for its turn of the event loop when the pool has ended (a query its
   * caller did not wait for), and PGlite closed under it fails after the fact.
   */
  async drained(): Promise<void> {
    let queue;
    do await (queue = this.#queue);
    while (queue !== this.#queue);
  }

  async connect(): Promise<void> {
    this._connecting = true;
    await this.#pglite.waitReady;
    process.nextTick(() => this.emit('readyForQuery'));
  }

  // What a server's connection says or asks before the session starts: PGlite has no password or TLS.
  requestSsl(): void {}
  startup(): void {}
  cancel(): void {}
  password(): void {}
  ref(): void {}
  unref(): void {}

  sendSASLInitialResponseMessage(mechanism: string, initialResponse: string): void {
    this.#send(serialize.sendSASLInitialResponseMessage(mechanism, initialResponse));
  }
  sendSCRAMClientFinalMessage(additionalData: string): void {
    this.#send(serialize.sendSCRAMClientFinalMessage(additionalData));
  }
  query(text: string): void {
    this.#send(serialize.query(text));
  }
  parse(query: Parameters<Serialize['parse']>[0]): void {
    this.#send(serialize.parse(query));
  }
  bind(config: Parameters<Serialize['bind']>[0]): void {
    this.#send(serialize.bind(config));
  }
  execute(config: Parameters<Serialize['execute']>[0]): void {
    this.#send(serialize.execute(config));
  }
  flush(): void {
    this.#send(serialize.flush());
  }
  sync(): void {
    this.#send(serialize.sync());
  }
  close(message: Parameters<Serialize['close']>[0]): void {
    this.#send(serialize.close(message));
  }
  describe(message: Parameters<Serialize['describe']>[0]): void {
    this.#send(serialize.describe(message));
  }
  sendCopyFromChunk(chunk: Buffer): void {
    this.#send(serialize.copyData(chunk));
  }
  endCopyFrom(): void {
    this.#send(serialize.copyDone());
  }
  sendCopyFail(message: string): void {
    this.#send(serialize.copyFail(message));
  }

  /**
   * Like a socket closing: pg waits for 'end'. The PGlite instance is the caller's and stays open;
   * the pool reuses this connection for its next client, so the ended client's listeners go.
   */
  end(): void {
    this.#queue = this.#queue.then(() => this.emit('end'));
    for (const name of this.eventNames()) if (name !== 'newListener') this.removeAllListeners(name);
  }
}

/** node-postgres's settings for a pool on `pglite` (one session: one client at a time). */
export function pgliteConfig(pglite: PGlite) {
  return {
    connection: new PgliteConnection(pglite),
    // Not used (there is no server), but node-postgres reads them.
    user: 'postgres',
    password: 'dummy',
    database: 'postgres',
    host: 'localhost',
    port: 5432,
  };
}
