/* Unit tests of the /proc text parsers on hand-written lines: stat, status, net tables, maps, environ. */
#include "unit.h"
#include "proc/procparse.h"
#include "proc/agent.h"
#include <errno.h>

static void test_stat_plain(void)
{
	const char *s = "4132 (server) S 4130 4132 4100 0 -1 4194560 1200 0 0 0 37 12 0 0 20 0 7 0 "
			"98765 725000000 2048 18446744073709551615 4194304 6000000 0 0 0 0 0 0 0 0 0 0 17 1\n";
	struct proc_stat st;

	CHECK_INT(proc_parse_stat(s, strlen(s), &st), 0);
	CHECK_INT(st.pid, 4132);
	CHECK_STR(st.comm, "server");
	CHECK_INT(st.state, 'S');
	CHECK_INT(st.ppid, 4130);
	CHECK_INT(st.flags, 4194560);
	CHECK_INT(st.utime, 37);
	CHECK_INT(st.stime, 12);
	CHECK_INT(st.num_threads, 7);
	CHECK_INT(st.starttime, 98765);
	CHECK_INT(st.rss_pages, 2048);
}

static void test_stat_comm_with_spaces_and_parens(void)
{
	const char *s = "77 (a) b) (c d) R 1 77 77 0 -1 2097216 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n";
	struct proc_stat st;

	CHECK_INT(proc_parse_stat(s, strlen(s), &st), 0);
	CHECK_STR(st.comm, "a) b) (c d");
	CHECK_INT(st.state, 'R');
	CHECK_INT(st.ppid, 1);
	CHECK(st.flags & PF_KTHREAD_FLAG);
}

static void test_stat_malformed(void)
{
	struct proc_stat st;

	CHECK_INT(proc_parse_stat("12 noparen S 1", 14, &st), -EINVAL);
	CHECK_INT(proc_parse_stat("12 (x", 5, &st), -EINVAL);
	CHECK_INT(proc_parse_stat("12 (x)", 6, &st), -EINVAL);
}

static void test_status_nspid(void)
{
	const char *s = "Name:\tserver\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t4132\n"
			"Uid:\t1000\t1000\t1000\t1000\nThreads:\t7\nNSpid:\t4132\t17\t1\n";
	struct proc_status st;

	CHECK_INT(proc_parse_status(s, strlen(s), &st), 0);
	CHECK_INT(st.uid, 1000);
	CHECK_INT(st.threads, 7);
	CHECK_INT(st.nspid, 1);
	CHECK_INT(proc_parse_status("Name:\tx\n", 8, &st), 0);
	CHECK_INT(st.nspid, -1);
	CHECK_INT(st.uid, -1);
}

static void test_tcp_line(void)
{
	struct proc_sock s;

	CHECK_INT(proc_parse_inet_line("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
				       PROTO_TCP, &s), -EINVAL);
	CHECK_INT(proc_parse_inet_line("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
				       PROTO_TCP, &s), 0);
	CHECK_STR(s.local, "127.0.0.1:8080");
	CHECK_STR(s.remote, "0.0.0.0:0");
	CHECK_STR(s.state_name, "LISTEN");
	CHECK(s.listening);
	CHECK_INT(s.lport, 8080);
	CHECK_INT(s.inode, 123456);
	CHECK_INT(proc_parse_inet_line("   1: 0100007F:9C40 0200A8C0:0050 01 00000000:00000000 00:00000000 00000000  1000        0 777 1",
				       PROTO_TCP, &s), 0);
	CHECK_STR(s.local, "127.0.0.1:40000");
	CHECK_STR(s.remote, "192.168.0.2:80");
	CHECK_STR(s.state_name, "ESTABLISHED");
	CHECK(!s.listening);
}

static void test_tcp6_line(void)
{
	struct proc_sock s;

	CHECK_INT(proc_parse_inet_line("   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1",
				       PROTO_TCP6, &s), 0);
	CHECK_STR(s.local, "[::1]:80");
	CHECK_STR(s.remote, "[::]:0");
	CHECK_STR(s.state_name, "LISTEN");
	/* fe80::1 in the kernel's per-word host byte order. */
	CHECK_INT(proc_parse_inet_line("   1: 000080FE000000000000000001000000:1F90 0000000000000000FFFF00000100007F:0016 06 00000000:00000000 00:00000000 00000000     0        0 5 1",
				       PROTO_TCP6, &s), 0);
	CHECK_STR(s.local, "[fe80::1]:8080");
	CHECK_STR(s.remote, "[::ffff:127.0.0.1]:22");
	CHECK_STR(s.state_name, "TIME_WAIT");
	/* An IPv4-length address in the IPv6 table is malformed. */
	CHECK_INT(proc_parse_inet_line("   0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 1", PROTO_TCP6, &s), -EINVAL);
}

static void test_udp_line(void)
{
	struct proc_sock s;

	CHECK_INT(proc_parse_inet_line("  123: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 4242 2 0000000000000000 0",
				       PROTO_UDP, &s), 0);
	CHECK_STR(s.local, "127.0.0.53:53");
	CHECK_STR(s.state_name, "UNCONN");
	CHECK(!s.listening);
	CHECK_INT(s.inode, 4242);
}

static void test_unix_line(void)
{
	struct proc_sock s;

	CHECK_INT(proc_parse_unix_line("Num       RefCount Protocol Flags    Type St Inode Path", &s), -EINVAL);
	CHECK_INT(proc_parse_unix_line("0000000000000000: 00000002 00000000 00010000 0001 01 31337 /run/my app.sock", &s), 0);
	CHECK_STR(s.local, "/run/my app.sock");
	CHECK_STR(s.state_name, "LISTEN");
	CHECK(s.listening);
	CHECK_INT(s.inode, 31337);
	CHECK_INT(proc_parse_unix_line("0000000000000000: 00000003 00000000 00000000 0001 03 42", &s), 0);
	CHECK_STR(s.local, "");
	CHECK_STR(s.state_name, "CONNECTED");
	CHECK_INT(proc_parse_unix_line("0000000000000000: 00000002 00000000 00000000 0002 01 43 @abstract", &s), 0);
	CHECK_STR(s.local, "@abstract");
	CHECK_STR(s.state_name, "UNCONNECTED");
}

static void test_maps_lines(void)
{
	struct proc_map m;
	const char *l1 = "00400000-00613000 r-xp 00000000 00:00 0 ";
	const char *l2 = "7f0a1c000000-7f0a1c021000 rw-s 00001000 fe:00 10986133                   /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	const char *l3 = "7ffd1e7e4000-7ffd1e7e6000 r--p 00000000 00:00 0                          [vvar]";

	CHECK_INT(proc_parse_maps_line(l1, strlen(l1), &m), 0);
	CHECK_INT(m.start, 0x400000);
	CHECK_INT(m.end, 0x613000);
	CHECK(m.r && !m.w && m.x && !m.shared);
	CHECK_INT(m.inode, 0);
	CHECK_INT(m.name_len, 0);
	CHECK_INT(proc_parse_maps_line(l2, strlen(l2), &m), 0);
	CHECK(m.r && m.w && !m.x && m.shared);
	CHECK_INT(m.offset, 0x1000);
	CHECK_INT(m.inode, 10986133);
	CHECK_INT(m.name_len, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	CHECK(!strncmp(m.name, "/usr/lib/x86_64-linux-gnu/libc.so.6", m.name_len));
	CHECK_INT(proc_parse_maps_line(l3, strlen(l3), &m), 0);
	CHECK(!strncmp(m.name, "[vvar]", m.name_len));
	CHECK_INT(proc_parse_maps_line("garbage", 7, &m), -EINVAL);
	CHECK_INT(proc_parse_maps_line("2000-1000 r--p 0 00:00 0", 24, &m), -EINVAL);
}

static void test_environ_and_gops_dir(void)
{
	static const char env[] = "PATH=/bin\0HOMEX=/wrong\0HOME=/home/u\0XDG_CONFIG_HOME=\0";
	static const char env2[] = "HOME=/h\0XDG_CONFIG_HOME=/x\0";
	static const char env3[] = "GOPS_CONFIG_DIR=/g\0XDG_CONFIG_HOME=/x\0HOME=/h\0";
	char dir[64];

	CHECK_STR(proc_environ_get(env, sizeof(env) - 1, "HOME"), "/home/u");
	CHECK(proc_environ_get(env, sizeof(env) - 1, "HOM") == NULL);
	CHECK_STR(proc_environ_get(env, sizeof(env) - 1, "XDG_CONFIG_HOME"), "");
	/* An empty XDG_CONFIG_HOME falls through to HOME, as in gops. */
	CHECK_INT(gops_config_dir(env, sizeof(env) - 1, dir, sizeof(dir)), 0);
	CHECK_STR(dir, "/home/u/.config/gops");
	CHECK_INT(gops_config_dir(env2, sizeof(env2) - 1, dir, sizeof(dir)), 0);
	CHECK_STR(dir, "/x/gops");
	CHECK_INT(gops_config_dir(env3, sizeof(env3) - 1, dir, sizeof(dir)), 0);
	CHECK_STR(dir, "/g");
	CHECK_INT(gops_config_dir("A=1", 3, dir, sizeof(dir)), -ENOENT);
}

int main(void)
{
	RUN(test_stat_plain);
	RUN(test_stat_comm_with_spaces_and_parens);
	RUN(test_stat_malformed);
	RUN(test_status_nspid);
	RUN(test_tcp_line);
	RUN(test_tcp6_line);
	RUN(test_udp_line);
	RUN(test_unix_line);
	RUN(test_maps_lines);
	RUN(test_environ_and_gops_dir);
	return UNIT_DONE();
}
