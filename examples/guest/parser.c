/*
 * A small record parser for examples/fuzz.mjs, with a bug for the fuzzer
 * to find: a type-3 record's first data byte indexes a table of four
 * handlers without a bounds check, so a large index calls through a wild
 * pointer (the guest faults on the fetch or on the read of the table).
 *
 * Input: records of [type, length, data...]. Returns a checksum of what it
 * parsed, or -1 for a truncated record.
 */
typedef unsigned char u8;

static int add_bytes(const u8 *d, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += d[i];
  return s;
}
static int xor_bytes(const u8 *d, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s ^= d[i] << (i & 7);
  return s;
}
static int count_bytes(const u8 *d, int n) { (void)d; return n; }
static int first_byte(const u8 *d, int n) { return n ? d[0] : 0; }

static int (*const handlers[4])(const u8 *, int) = { add_bytes, xor_bytes, count_bytes, first_byte };

int parse(const u8 *in, int n) {
  int sum = 0;
  int i = 0;
  while (i + 2 <= n) {
    int type = in[i], len = in[i + 1];
    const u8 *data = in + i + 2;
    if (i + 2 + len > n) return -1;
    switch (type) {
      case 1: sum += add_bytes(data, len); break;
      case 2: sum ^= xor_bytes(data, len); break;
      case 3:
        if (len > 0) sum += handlers[data[0]](data + 1, len - 1); /* the bug: data[0] is not checked against 4 */
        break;
      default: sum += 1; break;
    }
    i += 2 + len;
  }
  return sum;
}
