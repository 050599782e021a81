// @ts-check
/**
 * The bench's referee, workload generator and server options, shared by the emulator
 * server (bench/server.ts, Deno) and the lean server (bench/lean_server.mjs, Node): plain
 * JavaScript with JSDoc types so that both runtimes load it as it is. The n-th message of
 * a chat says "n", so a correct bot's n-th reply there says "n"; a reply seen twice is
 * duplicated, one out of sequence reordered, one never seen lost.
 * @module
 */

/**
 * The options of one bench server.
 * @typedef {object} ServerArgs
 * @property {number} chats
 * @property {number} updates
 * @property {"queued" | "bursts"} mode
 * @property {number} burst
 * @property {number} every
 * @property {number} delay
 * @property {number} cap
 * @property {number} port
 * @property {number} seed
 */

/**
 * Reads `--name value` arguments.
 * @param {string[]} argv
 * @returns {ServerArgs}
 */
export function parseServerArgs(argv) {
  /** @param {string} name @param {string} fallback */
  const get = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const mode = get("mode", "queued");
  if (mode !== "queued" && mode !== "bursts") throw new Error(`--mode ${mode}?`);
  return {
    chats: Number(get("chats", "1000")),
    updates: Number(get("updates", "20000")),
    mode,
    burst: Number(get("burst", "1000")),
    every: Number(get("every", "50")),
    delay: Number(get("delay", "0")),
    cap: Number(get("cap", "60000")),
    port: Number(get("port", "0")),
    seed: Number(get("seed", "20240601")),
  };
}

/**
 * A small seeded PRNG (mulberry32): the same workload for every bot.
 * @param {number} seed
 * @returns {() => number}
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the referee found.
 * @typedef {object} RefereeStats
 * @property {number} expected
 * @property {number} replies
 * @property {number} unique
 * @property {number} duplicated
 * @property {number} reordered
 * @property {number | null} lost
 * @property {number} unexpected
 * @property {boolean} capped
 * @property {number} ms
 * @property {number} perSecond
 * @property {number | null} p50
 * @property {number | null} p99
 */

/** Checks replies against the per-chat sequence numbers and times them. */
export class Referee {
  /** @type {Set<number>[]} */
  #seen;
  /** @type {Int32Array} */
  #max;
  /** @type {Float64Array[]} */
  #sentAt;
  /** @type {number[]} */
  #latencies = [];
  expected = 0;
  replies = 0;
  unique = 0;
  duplicated = 0;
  reordered = 0;
  unexpected = 0;
  lastAt = 0;

  /** @param {number} chats */
  constructor(chats) {
    this.#seen = Array.from({ length: chats }, () => new Set());
    this.#max = new Int32Array(chats);
    this.#sentAt = Array.from({ length: chats }, () => new Float64Array(8));
  }

  /**
   * The n-th message of chat c was made available at time t.
   * @param {number} c @param {number} n @param {number} t
   * @returns {void}
   */
  offered(c, n, t) {
    let arr = this.#sentAt[c];
    if (n >= arr.length) {
      const bigger = new Float64Array(Math.max(n + 1, arr.length * 2));
      bigger.set(arr);
      arr = this.#sentAt[c] = bigger;
    }
    arr[n] = t;
    this.expected++;
  }

  /**
   * Marks every offered-but-unanswered message as available from `t` (queued mode: the start).
   * @param {number} t
   * @returns {void}
   */
  availableFrom(t) {
    for (const arr of this.#sentAt) for (let i = 0; i < arr.length; i++) if (arr[i] < t) arr[i] = t;
  }

  /**
   * The bot replied `text` in chat c at time t.
   * @param {number} c @param {string | undefined} text @param {number} t
   * @returns {void}
   */
  reply(c, text, t) {
    this.replies++;
    this.lastAt = t;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      this.unexpected++;
      return;
    }
    const seen = this.#seen[c];
    if (seen.has(n)) {
      this.duplicated++;
      return;
    }
    seen.add(n);
    this.unique++;
    if (n < this.#max[c]) this.reordered++;
    else this.#max[c] = n;
    const offered = this.#sentAt[c][n];
    if (offered > 0) this.#latencies.push(t - offered);
  }

  /**
   * The stats, with throughput measured from `start`.
   * @param {number} start @param {boolean} capped
   * @returns {RefereeStats}
   */
  stats(start, capped) {
    const lat = this.#latencies.sort((a, b) => a - b);
    /** @param {number} p */
    const q = (p) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : null;
    const ms = Math.max(1e-3, this.lastAt - start);
    return {
      expected: this.expected,
      replies: this.replies,
      unique: this.unique,
      duplicated: this.duplicated,
      reordered: this.reordered,
      lost: capped ? null : this.expected - this.unique,
      unexpected: this.unexpected,
      capped,
      ms,
      perSecond: this.unique / ms * 1000,
      p50: q(0.5),
      p99: q(0.99),
    };
  }
}

/**
 * One line of the servers' JSON-lines protocol on stdout.
 * @param {Record<string, unknown>} event
 * @returns {void}
 */
export function emit(event) {
  console.log(JSON.stringify(event));
}

/**
 * Starts a run at the bot's first getUpdates: says "start", makes the queued updates
 * available from now (queued mode) or pushes them in bursts, and ends the run at the cap.
 * @param {ServerArgs} args
 * @param {Referee} referee
 * @param {(upTo: number) => void} push makes updates [0, upTo) available
 * @param {() => number} pushed how many are available
 * @param {(capped: boolean) => void} finish called with true at the cap
 * @returns {{ start: number, stop(): void }} when it started; `stop` clears its timers
 */
export function startRun(args, referee, push, pushed, finish) {
  const start = performance.now();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let burstTimer;
  emit({ event: "start" });
  if (args.mode === "queued") referee.availableFrom(start);
  else {
    const burst = () => {
      push(Math.min(args.updates, pushed() + args.burst));
      if (pushed() < args.updates) burstTimer = setTimeout(burst, args.every);
    };
    burst();
  }
  const capTimer = setTimeout(() => finish(true), args.cap);
  return {
    start,
    stop() {
      clearTimeout(capTimer);
      clearTimeout(burstTimer);
    },
  };
}
