/**
 * The tenant's event `seq` (wire-protocol.md §1): increasing across restarts, without a
 * storage write per event. A block of numbers is reserved in storage and handed out from
 * memory; a restarted instance continues after the reserved block (gaps are normal for
 * clients), so a streamed run costs one write per BLOCK events, not one per token.
 */
const KEY = "seqReserved";
const BLOCK = 1000;

export class EventSeq {
  private current: number;
  private reserved: number;

  constructor(private readonly kv: SyncKvStorage) {
    this.current = kv.get<number>(KEY) ?? 0;
    this.reserved = this.current;
  }

  next(): number {
    this.current++;
    if (this.current > this.reserved) {
      this.reserved = this.current + BLOCK - 1;
      this.kv.put(KEY, this.reserved);
    }
    return this.current;
  }
}
