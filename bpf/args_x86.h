/* amd64 specifics of the args probes: Go ABI integer registers, SP, g register, prologue flags. */
#ifndef GOTRACE_BPF_ARGS_X86_H
#define GOTRACE_BPF_ARGS_X86_H

#define GO_NUM_IREGS 9

/* The x86-64 user register frame a uprobe's ctx points to (uapi asm/ptrace.h layout,
 * fixed ABI). Declared here rather than taken from vmlinux.h so the program has no CO-RE
 * relocations: libbpf then need not load and parse the kernel's BTF (~80 ms). */
struct go_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
	__u64 ip, cs, flags, sp, ss;
};

/* Go internal ABI integer argument/result sequence: RAX RBX RCX RDI RSI R8 R9 R10 R11.
 * Copied out with constant offsets: the verifier rejects ctx accesses at computed ones. */
static __always_inline void go_iregs(const struct go_regs *r, __u64 out[GO_NUM_IREGS])
{
	out[0] = r->ax;
	out[1] = r->bx;
	out[2] = r->cx;
	out[3] = r->di;
	out[4] = r->si;
	out[5] = r->r8;
	out[6] = r->r9;
	out[7] = r->r10;
	out[8] = r->r11;
}

static __always_inline __u64 go_sp(const struct go_regs *r) { return r->sp; }
/* The current goroutine's g lives in R14 under the register ABI. */
static __always_inline __u64 go_g(const struct go_regs *r) { return r->r14; }

/* At the prologue's JLS/JBE the CMP already ran: CF or ZF set means the jump to
 * morestack is taken and the function will restart from its first byte. */
#define X86_CF 0x1
#define X86_ZF 0x40
static __always_inline int go_prologue_branches(const struct go_regs *r)
{
	return (r->flags & (X86_CF | X86_ZF)) != 0;
}
#endif
