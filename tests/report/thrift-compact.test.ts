import { describe, expect, it } from 'vitest';
import { arrowToParquet } from '../../src/report/parquet.js';
import { toArrowTable } from '../../src/report/table.js';
import {
  T_BINARY,
  T_BOOL,
  T_DOUBLE,
  T_I16,
  T_I32,
  T_I64,
  T_I8,
  T_LIST,
  T_MAP,
  T_STRUCT,
  decodeStruct,
  encodeStruct,
  type TStruct,
} from '../../src/report/thrift-compact.js';
import { allKindsTable } from './table-fixtures.js';

const struct = (...fields: [number, number, unknown][]): TStruct => ({
  kind: 'struct',
  fields: fields.map(([id, type, value]) => ({ id, type, value: value as never })),
});

describe('thrift compact protocol', () => {
  it('encodes the bytes the spec gives', () => {
    // field 1 i32 1: header (delta 1 << 4 | type 5), zigzag(1) = 2, stop
    expect(Array.from(encodeStruct(struct([1, T_I32, 1])))).toEqual([0x15, 0x02, 0x00]);
    // field 2 i64 -1: delta 2, type 6, zigzag(-1) = 1
    expect(Array.from(encodeStruct(struct([2, T_I64, -1n])))).toEqual([0x26, 0x01, 0x00]);
    // bools live in the field header: 1 true, 2 false
    expect(Array.from(encodeStruct(struct([1, T_BOOL, true], [2, T_BOOL, false])))).toEqual([0x11, 0x12, 0x00]);
    // field id 20 (delta > 15): type byte, then zigzag(20) = 40 as a varint
    expect(Array.from(encodeStruct(struct([20, T_I8, -1])))).toEqual([0x03, 40, 0xff, 0x00]);
    // a list of three i32: size 3 << 4 | type 5; a binary: varint length then bytes
    expect(Array.from(encodeStruct(struct([1, T_LIST, { kind: 'list', elemType: T_I32, items: [0, -1, 64] }], [2, T_BINARY, new Uint8Array([7, 8])])))).toEqual([
      0x19, 0x35, 0x00, 0x01, 0x80, 0x01, 0x18, 0x02, 7, 8, 0x00,
    ]);
  });

  it('decodes what it encodes, every type, long lists and large ids included', () => {
    const inner = struct([1, T_I16, -300], [3, T_DOUBLE, -1.25e-7]);
    const s = struct(
      [1, T_BOOL, true],
      [2, T_BOOL, false],
      [3, T_I8, -128],
      [4, T_I16, 32767],
      [5, T_I32, -2147483648],
      [6, T_I64, -(2n ** 63n)],
      [7, T_I64, 2n ** 63n - 1n],
      [8, T_DOUBLE, Math.PI],
      [9, T_BINARY, new TextEncoder().encode('ARROW:schema ✓')],
      [10, T_LIST, { kind: 'list', elemType: T_I64, items: Array.from({ length: 40 }, (_, i) => BigInt(i) * 1_000_000_007n) }],
      [11, T_LIST, { kind: 'list', elemType: T_STRUCT, items: [inner, struct()] }],
      [12, T_MAP, { kind: 'map', keyType: T_BINARY, valueType: T_I32, entries: [[new Uint8Array([1]), 5]] }],
      [13, T_MAP, { kind: 'map', keyType: 0, valueType: 0, entries: [] }],
      [300, T_STRUCT, inner],
      [301, T_LIST, { kind: 'list', elemType: T_BOOL, items: [true, false, true] }],
    );
    expect(decodeStruct(encodeStruct(s))).toEqual(s);
  });

  it('refuses truncated or padded input', () => {
    const bytes = encodeStruct(struct([1, T_I64, 123456789n]));
    expect(() => decodeStruct(bytes.subarray(0, bytes.length - 2))).toThrow('thrift: unexpected end of data');
    expect(() => decodeStruct(new Uint8Array([...bytes, 0]))).toThrow('thrift: 1 trailing bytes');
  });

  it('re-encodes a real Parquet footer byte for byte', () => {
    const parquet = arrowToParquet(toArrowTable(allKindsTable(100)));
    const n = parquet.length;
    const footerLength = new DataView(parquet.buffer, parquet.byteOffset + n - 8, 4).getUint32(0, true);
    const footer = parquet.subarray(n - 8 - footerLength, n - 8);
    expect(encodeStruct(decodeStruct(footer))).toEqual(footer.slice());
  });
});
