#!/usr/bin/env python3
# Writes the tiny hand-made seeds of fuzz_dwarf: Go-style DWARF 4 (.debug_abbrev + .debug_info, no Go binary).
#
# Input format of fuzz_dwarf: u16 LE length of .debug_abbrev, the abbrev bytes, then .debug_info.
# Usage: python3 tests/fuzz/gen_dwarf_seeds.py   (from the repo root; rewrites tests/fuzz/corpus/dwarf)
import os
import struct

# DWARF constants used below.
TAG = dict(cu=0x11, base=0x24, ptr=0x0f, struct=0x13, member=0x0d, typedef=0x16, array=0x01,
           subrange=0x21, subprogram=0x2e, param=0x05)
AT_name, AT_type, AT_byte_size, AT_encoding, AT_dml = 0x03, 0x49, 0x0b, 0x3e, 0x38
AT_low_pc, AT_high_pc, AT_count, AT_varparam, AT_location = 0x11, 0x12, 0x37, 0x4b, 0x02
AT_trampoline = 0x20
AT_go_kind, AT_go_key, AT_go_elem = 0x2900, 0x2901, 0x2902
F_addr, F_data1, F_string, F_ref4, F_exprloc, F_flag_present = 0x01, 0x0b, 0x08, 0x13, 0x18, 0x19
OP_reg0, OP_piece, OP_cfa, OP_fbreg, OP_plus_uconst = 0x50, 0x93, 0x9c, 0x91, 0x23


def uleb(v):
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7f | 0x80])
        v >>= 7
    return out + bytes([v])


def sleb(v):
    out = b""
    while True:
        b = v & 0x7f
        v >>= 7
        if (v == 0 and not b & 0x40) or (v == -1 and b & 0x40):
            return out + bytes([b])
        out += bytes([b | 0x80])


class Unit:
    """DIEs as (name, tag, children?, [(attr, form, value)], [children]); refs are DIE names."""

    def __init__(self):
        self.abbrevs = {}

    def abbrev(self, tag, kids, attrs):
        key = (tag, kids, tuple((a, f) for a, f, _ in attrs))
        if key not in self.abbrevs:
            self.abbrevs[key] = len(self.abbrevs) + 1
        return self.abbrevs[key]

    def size(self, form, v):
        fixed = {F_addr: 8, F_data1: 1, F_ref4: 4, F_flag_present: 0}
        if form in fixed:
            return fixed[form]
        return len(v) + 1 if form == F_string else len(uleb(len(v))) + len(v)

    def layout(self, die, off, offs):
        name, tag, attrs, kids = die
        offs[name] = off
        off += len(uleb(self.abbrev(tag, bool(kids), attrs)))
        off += sum(self.size(f, v) for _, f, v in attrs)
        for k in kids:
            off = self.layout(k, off, offs)
        return off + (1 if kids else 0)

    def emit(self, die, offs):
        name, tag, attrs, kids = die
        out = uleb(self.abbrev(tag, bool(kids), attrs))
        for _, f, v in attrs:
            if f == F_addr:
                out += struct.pack("<Q", v)
            elif f == F_data1:
                out += bytes([v])
            elif f == F_ref4:
                out += struct.pack("<I", offs[v])
            elif f == F_string:
                out += v + b"\0"
            elif f == F_exprloc:
                out += uleb(len(v)) + v
        for k in kids:
            out += self.emit(k, offs)
        return out + (b"\0" if kids else b"")

    def build(self, root):
        offs = {}
        self.layout(root, 11, offs)
        body = self.emit(root, offs)
        info = struct.pack("<IHIB", 7 + len(body), 4, 0, 8) + body
        ab = b""
        for (tag, kids, attrs), code in sorted(self.abbrevs.items(), key=lambda kv: kv[1]):
            ab += uleb(code) + uleb(tag) + bytes([1 if kids else 0])
            for a, f in attrs:
                ab += uleb(a) + uleb(f)
            ab += b"\0\0"
        ab += b"\0"
        return struct.pack("<H", len(ab)) + ab + info


def n(s):
    return (AT_name, F_string, s)


def ref(a, d):
    return (a, F_ref4, d)


def d1(a, v):
    return (a, F_data1, v)


def base(name, enc, size, kind):
    return (name, TAG["base"], [n(name.encode()), d1(AT_encoding, enc), d1(AT_byte_size, size), d1(AT_go_kind, kind)], [])


def member(name, typ, off):
    return (None, TAG["member"], [n(name), ref(AT_type, typ), d1(AT_dml, off)], [])


def param(name, typ, loc, result=False):
    attrs = [n(name)] + ([(AT_varparam, F_flag_present, None)] if result else []) + [ref(AT_type, typ), (AT_location, F_exprloc, loc)]
    return (None, TAG["param"], attrs, [])


def reg(r):
    return bytes([OP_reg0 + r])


def piece(loc, sz):
    return loc + bytes([OP_piece]) + uleb(sz)


def types():
    return [
        base("int", 5, 8, 2), base("uint8", 8, 1, 8), base("bool", 2, 1, 1), base("float64", 4, 8, 14),
        ("*uint8", TAG["ptr"], [n(b"*uint8"), ref(AT_type, "uint8"), d1(AT_go_kind, 22)], []),
        ("*int", TAG["ptr"], [n(b"*int"), ref(AT_type, "int"), d1(AT_go_kind, 22)], []),
        ("unsafe.Pointer", TAG["ptr"], [n(b"unsafe.Pointer"), d1(AT_go_kind, 26)], []),
        ("string", TAG["struct"], [n(b"string"), d1(AT_byte_size, 16), d1(AT_go_kind, 24)],
         [member(b"str", "*uint8", 0), member(b"len", "int", 8)]),
        ("[]int", TAG["struct"], [n(b"[]int"), d1(AT_byte_size, 24), d1(AT_go_kind, 23), ref(AT_go_elem, "int")],
         [member(b"array", "*int", 0), member(b"len", "int", 8), member(b"cap", "int", 16)]),
        ("[4]int", TAG["array"], [n(b"[4]int"), ref(AT_type, "int"), d1(AT_byte_size, 32), d1(AT_go_kind, 17)],
         [(None, TAG["subrange"], [d1(AT_count, 4)], [])]),
        ("runtime.iface", TAG["struct"], [n(b"runtime.iface"), d1(AT_byte_size, 16), d1(AT_go_kind, 25)],
         [member(b"tab", "unsafe.Pointer", 0), member(b"data", "unsafe.Pointer", 8)]),
        ("error", TAG["typedef"], [n(b"error"), ref(AT_type, "runtime.iface"), d1(AT_go_kind, 20)], []),
        ("runtime.hmap", TAG["struct"], [n(b"runtime.hmap"), d1(AT_byte_size, 8), d1(AT_go_kind, 25)],
         [member(b"count", "int", 0)]),
        ("*runtime.hmap", TAG["ptr"], [n(b"*runtime.hmap"), ref(AT_type, "runtime.hmap"), d1(AT_go_kind, 22)], []),
        ("map[string]int", TAG["typedef"], [n(b"map[string]int"), ref(AT_type, "*runtime.hmap"), d1(AT_go_kind, 21),
                                            ref(AT_go_key, "string"), ref(AT_go_elem, "int")], []),
        ("*main.T", TAG["ptr"], [n(b"*main.T"), ref(AT_type, "main.T"), d1(AT_go_kind, 22)], []),
        ("main.T", TAG["struct"], [n(b"main.T"), d1(AT_byte_size, 32), d1(AT_go_kind, 25)],
         [member(b"A", "int", 0), member(b"B", "bool", 8), member(b"F", "float64", 16), member(b"Next", "*main.T", 24)]),
        ("main.Name", TAG["typedef"], [n(b"main.Name"), ref(AT_type, "string"), d1(AT_go_kind, 24)], []),
        ("runtime.stack", TAG["struct"], [n(b"runtime.stack"), d1(AT_byte_size, 16), d1(AT_go_kind, 25)],
         [member(b"lo", "int", 0), member(b"hi", "int", 8)]),
        ("runtime.g", TAG["struct"], [n(b"runtime.g"), d1(AT_byte_size, 160), d1(AT_go_kind, 25)],
         [member(b"stack", "runtime.stack", 0), member(b"goid", "int", 152)]),
    ]


def func(name, low, params, tramp=False):
    attrs = [n(name), (AT_low_pc, F_addr, low), (AT_high_pc, F_addr, low + 0x40)]
    if tramp:
        attrs.append((AT_trampoline, F_flag_present, None))
    return (None, TAG["subprogram"], attrs, params)


def cu(funcs):
    return ("cu", TAG["cu"], [n(b"main"), (AT_low_pc, F_addr, 0x401000), (AT_high_pc, F_addr, 0x402000)],
            types() + funcs)


SEEDS = {
    "regs": [func(b"main.f", 0x401000, [param(b"a", "int", reg(0)), param(b"s", "string", piece(reg(3), 8) + piece(reg(2), 8)),
                                        param(b"~r0", "bool", reg(0), result=True)])],
    "composite": [func(b"main.g", 0x401040, [param(b"t", "main.T", piece(reg(0), 8) + piece(reg(3), 1) + bytes([OP_piece, 7]) +
                                                   piece(bytes([0x61]), 8) + piece(reg(2), 8)),
                                             param(b"xs", "[]int", piece(reg(7), 8) + piece(reg(6), 8) + piece(reg(8), 8)),
                                             param(b"m", "map[string]int", reg(9)), param(b"e", "error", piece(reg(10), 8) + piece(reg(11), 8))])],
    "stack": [func(b"main.h", 0x401080, [param(b"arr", "[4]int", bytes([OP_cfa])),
                                         param(b"n", "main.Name", bytes([OP_fbreg]) + sleb(32)),
                                         param(b"p", "*main.T", bytes([OP_cfa, OP_plus_uconst]) + uleb(48))]),
              func(b"main.(*T).M", 0x4010c0, [], tramp=True)],
}

if __name__ == "__main__":
    out = "tests/fuzz/corpus/dwarf"
    os.makedirs(out, exist_ok=True)
    for name, funcs in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(Unit().build(cu(funcs)))
