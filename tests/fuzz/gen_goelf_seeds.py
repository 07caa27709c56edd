#!/usr/bin/env python3
# Writes the tiny hand-made seed inputs of fuzz_goelf, fuzz_buildinfo and fuzz_pclntab (no Go binaries).
#
# Usage: python3 tests/fuzz/gen_goelf_seeds.py   (from the repo root; rewrites tests/fuzz/corpus/{goelf,buildinfo,pclntab})
import os
import struct

START = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
END = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2"
MODTEXT = (b"path\texample.com/app\nmod\texample.com\t(devel)\t\n"
           b"dep\texample.com/dep\tv1.0.0\th1:x=\n=>\t../dep\t(devel)\t\n\n"
           b"build\t-ldflags=\"-s -w\"\nbuild\tCGO_ENABLED=0\n")


def uvarint(v):
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7f | 0x80])
        v >>= 7
    return out + bytes([v])


def inline_blob(vers=b"go1.19.8", text=MODTEXT):
    mod = START + text + END
    return (b"\xff Go buildinf:\x08\x02" + bytes(16) + uvarint(len(vers)) + vers +
            uvarint(len(mod)) + mod)


def pointer_image(ps=8, big=False, vers=b"go1.16.15", text=MODTEXT):
    """A pre-1.18 blob whose pointers are offsets into the blob itself (fuzz_buildinfo's address space)."""
    mod = START + text + END
    bo = ">" if big else "<"
    p = "Q" if ps == 8 else "I"
    img = bytearray(0x100 + len(mod))
    img[0:16] = b"\xff Go buildinf:" + bytes([ps, 1 if big else 0])
    struct.pack_into(bo + p + p, img, 16, 0x40, 0x50)
    struct.pack_into(bo + p + p, img, 0x40, 0x60, len(vers))
    struct.pack_into(bo + p + p, img, 0x50, 0x100, len(mod))
    img[0x60:0x60 + len(vers)] = vers
    img[0x100:] = mod
    return bytes(img)


def pclntab118(text_start, funcs, magic=0xfffffff0):
    """Go 1.18+ pclntab with the given (name, entry offset) functions, each 0x20 long."""
    names = b"".join(n + b"\0" for n, _ in funcs)
    hdr = 8 + 8 * 8
    fn_off = hdr
    pcln = (fn_off + len(names) + 3) & ~3
    nf = len(funcs)
    ft = b""
    funcdata_start = (2 * nf + 1) * 4
    name_offs, o = [], 0
    for n, _ in funcs:
        name_offs.append(o)
        o += len(n) + 1
    for i, (_, e) in enumerate(funcs):
        ft += struct.pack("<II", e, funcdata_start + 8 * i)
    ft += struct.pack("<I", funcs[-1][1] + 0x20)
    fd = b"".join(struct.pack("<Ii", e, name_offs[i]) for i, (_, e) in enumerate(funcs))
    out = struct.pack("<IBBBB", magic, 0, 0, 1, 8)
    out += struct.pack("<8Q", nf, 0, text_start, fn_off, pcln, pcln, pcln, pcln)
    out += names + bytes(pcln - fn_off - len(names)) + ft + fd
    return out


def pclntab116(funcs):
    names = b"".join(n + b"\0" for n, _ in funcs)
    hdr = 8 + 7 * 8
    pcln = (hdr + len(names) + 7) & ~7
    nf = len(funcs)
    fstart = (2 * nf + 1) * 8
    offs, o = [], 0
    for n, _ in funcs:
        offs.append(o)
        o += len(n) + 1
    ft = b"".join(struct.pack("<QQ", e, fstart + 16 * i) for i, (_, e) in enumerate(funcs))
    ft += struct.pack("<Q", funcs[-1][1] + 0x20)
    fd = b"".join(struct.pack("<Qi4x", e, offs[i]) for i, (_, e) in enumerate(funcs))
    out = struct.pack("<IBBBB", 0xfffffffa, 0, 0, 1, 8)
    out += struct.pack("<7Q", nf, 0, hdr, pcln, pcln, pcln, pcln)
    return out + names + bytes(pcln - hdr - len(names)) + ft + fd


def elf(with_sections=True, blob=None, ptype=2):
    """ELF64 x86-64: text, rodata (pclntab), data (buildinfo + buildVersion string header), .symtab."""
    base = 0x400000
    text_off, text_len = 0x200, 0x60
    ro_off = 0x300
    pcln = pclntab118(base + text_off, [(b"main.a", 0), (b"main.main", 0x20), (b"runtime.x", 0x40)])
    vers = b"go1.19.8"
    ro = pcln + vers
    vers_addr = base + ro_off + len(pcln)
    data_off = (ro_off + len(ro) + 0xf) & ~0xf
    bi = blob if blob is not None else inline_blob()
    bv_off = (data_off + len(bi) + 7) & ~7
    data = bi + bytes(bv_off - data_off - len(bi)) + struct.pack("<QQ", vers_addr, len(vers))
    strtab = b"\0main.a\0main.main\0runtime.buildVersion\0runtime.pclntab\0"
    syms = [struct.pack("<IBBHQQ", 0, 0, 0, 0, 0, 0)]
    syms.append(struct.pack("<IBBHQQ", 1, 0x12, 0, 1, base + text_off, 0x20))
    syms.append(struct.pack("<IBBHQQ", 8, 0x12, 0, 1, base + text_off + 0x20, 0x20))
    syms.append(struct.pack("<IBBHQQ", 18, 0x11, 0, 3, base + bv_off, 16))
    syms.append(struct.pack("<IBBHQQ", 39, 0x11, 0, 2, base + ro_off, len(pcln)))
    symtab = b"".join(syms)
    sym_off = (data_off + len(data) + 7) & ~7
    str_off = sym_off + len(symtab)
    shstr = b"\0.text\0.gopclntab\0.go.buildinfo\0.symtab\0.strtab\0.shstrtab\0"
    shstr_off = str_off + len(strtab)
    sh_off = (shstr_off + len(shstr) + 7) & ~7
    img = bytearray(sh_off + (64 * 7 if with_sections else 0))
    nph = 3
    img[0:64] = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), ptype, 62, 1,
                            base + text_off, 64, sh_off if with_sections else 0, 0, 64, 56, nph, 64,
                            7 if with_sections else 0, 6 if with_sections else 0)
    ph = [(1, 5, 0, base, ro_off), (1, 4, ro_off, base + ro_off, len(ro)),
          (1, 6, data_off, base + data_off, len(data))]
    for i, (t, f, off, va, sz) in enumerate(ph):
        struct.pack_into("<IIQQQQQQ", img, 64 + 56 * i, t, f, off, va, va, sz, sz, 0x1000)
    img[text_off:text_off + text_len] = b"\xcc" * text_len
    img[ro_off:ro_off + len(ro)] = ro
    img[data_off:data_off + len(data)] = data
    img[sym_off:sym_off + len(symtab)] = symtab
    img[str_off:str_off + len(strtab)] = strtab
    img[shstr_off:shstr_off + len(shstr)] = shstr
    if with_sections:
        secs = [(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                (1, 1, 6, base + text_off, text_off, text_len, 0, 0, 16, 0),
                (7, 1, 2, base + ro_off, ro_off, len(pcln), 0, 0, 8, 0),
                (18, 1, 3, base + data_off, data_off, len(bi), 0, 0, 16, 0),
                (32, 2, 0, 0, sym_off, len(symtab), 5, 1, 8, 24),
                (40, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0),
                (48, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)]
        for i, s in enumerate(secs):
            struct.pack_into("<IIQQQQIIQQ", img, sh_off + 64 * i, *s)
    return bytes(img)


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    g, b, p = (os.path.join(top, x) for x in ("goelf", "buildinfo", "pclntab"))
    write(g, "tiny-go118", elf())
    write(g, "tiny-go118-noshdr", elf(with_sections=False))
    write(g, "tiny-go118-pie", elf(ptype=3))
    write(g, "tiny-no-blob", elf(blob=b"\0" * 48))
    write(b, "inline", inline_blob())
    write(b, "inline-nomod", inline_blob(text=b""))
    write(b, "pointer-le64", pointer_image())
    write(b, "pointer-be32", pointer_image(ps=4, big=True))
    write(p, "go118", pclntab118(0x401000, [(b"main.a", 0), (b"main.b", 0x40)]))
    write(p, "go120", pclntab118(0x401000, [(b"main.a", 0), (b"main.b", 0x40)], magic=0xfffffff1))
    write(p, "go116", pclntab116([(b"main.a", 0x401000), (b"main.b", 0x401040)]))


if __name__ == "__main__":
    main()
