// A minimal, schema-less codec for the Thrift compact protocol, which Parquet uses for its footer.
// The streaming Parquet writer needs it to splice row groups written separately into one file:
// it decodes each part's footer, shifts the byte offsets, and encodes one footer at the end.
// Values keep their wire types, so whatever it does not touch is written back unchanged.

export const T_BOOL = 1; // compact types 1 (true) and 2 (false) are both read as T_BOOL
export const T_I8 = 3;
export const T_I16 = 4;
export const T_I32 = 5;
export const T_I64 = 6;
export const T_DOUBLE = 7;
export const T_BINARY = 8;
export const T_LIST = 9;
export const T_SET = 10;
export const T_MAP = 11;
export const T_STRUCT = 12;

export type TValue = boolean | number | bigint | Uint8Array | TStruct | TList | TMap;
export interface TField {
  id: number;
  type: number;
  value: TValue;
}
export interface TStruct {
  kind: 'struct';
  fields: TField[];
}
export interface TList {
  kind: 'list';
  elemType: number;
  items: TValue[];
}
export interface TMap {
  kind: 'map';
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('thrift: unexpected end of data');
    return this.bytes[this.pos++]!;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('thrift: varint too long');
    }
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  value(type: number): TValue {
    switch (type) {
      case T_BOOL:
        return this.byte() === 1;
      case T_I8: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case T_I16:
      case T_I32:
        return Number(this.zigzag());
      case T_I64:
        return this.zigzag();
      case T_DOUBLE: {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
        this.pos += 8;
        return view.getFloat64(0, true);
      }
      case T_BINARY: {
        const n = Number(this.varint());
        if (this.pos + n > this.bytes.length) throw new Error('thrift: binary runs past the end');
        const out = this.bytes.slice(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case T_LIST:
      case T_SET: {
        const header = this.byte();
        let size = header >> 4;
        if (size === 15) size = Number(this.varint());
        const elemType = normalizeType(header & 0x0f);
        const items: TValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elemType));
        return { kind: 'list', elemType, items };
      }
      case T_MAP: {
        const size = Number(this.varint());
        const map: TMap = { kind: 'map', keyType: 0, valueType: 0, entries: [] };
        if (size === 0) return map;
        const kv = this.byte();
        map.keyType = normalizeType(kv >> 4);
        map.valueType = normalizeType(kv & 0x0f);
        for (let i = 0; i < size; i++) map.entries.push([this.value(map.keyType), this.value(map.valueType)]);
        return map;
      }
      case T_STRUCT:
        return this.struct();
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  struct(): TStruct {
    const fields: TField[] = [];
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return { kind: 'struct', fields };
      const wireType = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : lastId + delta;
      lastId = id;
      if (wireType === 1 || wireType === 2) fields.push({ id, type: T_BOOL, value: wireType === 1 });
      else fields.push({ id, type: wireType, value: this.value(wireType) });
    }
  }
}

function normalizeType(t: number): number {
  return t === 2 ? T_BOOL : t;
}

class Writer {
  private buf = new Uint8Array(1024);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
  }

  varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  zigzag(n: bigint): void {
    this.varint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  value(type: number, v: TValue): void {
    switch (type) {
      case T_BOOL:
        this.byte(v ? 1 : 2);
        return;
      case T_I8:
        this.byte(v as number);
        return;
      case T_I16:
      case T_I32:
        this.zigzag(BigInt(v as number));
        return;
      case T_I64:
        this.zigzag(BigInt(v as bigint | number));
        return;
      case T_DOUBLE: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v as number, true);
        this.bytes(b);
        return;
      }
      case T_BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        this.bytes(b);
        return;
      }
      case T_LIST:
      case T_SET: {
        const list = v as TList;
        const n = list.items.length;
        if (n < 15) this.byte((n << 4) | list.elemType);
        else {
          this.byte(0xf0 | list.elemType);
          this.varint(BigInt(n));
        }
        for (const item of list.items) this.value(list.elemType, item);
        return;
      }
      case T_MAP: {
        const map = v as TMap;
        this.varint(BigInt(map.entries.length));
        if (map.entries.length === 0) return;
        this.byte((map.keyType << 4) | map.valueType);
        for (const [k, val] of map.entries) {
          this.value(map.keyType, k);
          this.value(map.valueType, val);
        }
        return;
      }
      case T_STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  struct(s: TStruct): void {
    let lastId = 0;
    // the compact protocol encodes ids as deltas, which presumes ascending order
    const fields = [...s.fields].sort((a, b) => a.id - b.id);
    for (const f of fields) {
      const wireType = f.type === T_BOOL ? (f.value ? 1 : 2) : f.type;
      const delta = f.id - lastId;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | wireType);
      else {
        this.byte(wireType);
        this.zigzag(BigInt(f.id));
      }
      lastId = f.id;
      if (f.type !== T_BOOL) this.value(f.type, f.value);
    }
    this.byte(0);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Decodes one compact-protocol struct that fills `bytes` exactly. */
export function decodeStruct(bytes: Uint8Array): TStruct {
  const reader = new Reader(bytes);
  const s = reader.struct();
  if (reader.pos !== bytes.length) throw new Error(`thrift: ${bytes.length - reader.pos} trailing bytes`);
  return s;
}

export function encodeStruct(s: TStruct): Uint8Array {
  const writer = new Writer();
  writer.struct(s);
  return writer.result();
}

export function getField(s: TStruct, id: number): TField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** Sets (or adds) field `id`. */
export function setField(s: TStruct, id: number, type: number, value: TValue): void {
  const f = getField(s, id);
  if (f) {
    f.type = type;
    f.value = value;
  } else s.fields.push({ id, type, value });
}

export function removeFields(s: TStruct, ids: readonly number[]): void {
  s.fields = s.fields.filter((f) => !ids.includes(f.id));
}
