/* libFuzzer target: arbitrary text through the /proc parsers (stat, status, net/{tcp,tcp6,udp,udp6,unix},
 * maps, environ). The first byte picks the parser; the rest is the file text. Buffer parsers get an
 * unterminated copy of exactly the input (ASan catches any read past it); line parsers get each line
 * NUL-terminated, as their callers pass them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proc/procparse.h"

static void each_line(const char *text, size_t n, int which)
{
	const char *p = text, *end = text + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(len + 1);
		struct proc_sock s;
		struct proc_map m;

		if (!line)
			return;
		memcpy(line, p, len);
		line[len] = '\0';
		switch (which) {
		case 2: case 3: case 4: case 5:
			if (!proc_parse_inet_line(line, (enum proc_proto)(which - 2), &s) &&
			    (!memchr(s.local, '\0', sizeof(s.local)) || !memchr(s.remote, '\0', sizeof(s.remote)) ||
			     !memchr(s.state_name, '\0', sizeof(s.state_name))))
				abort();
			break;
		case 6:
			if (!proc_parse_unix_line(line, &s) && !memchr(s.local, '\0', sizeof(s.local)))
				abort();
			break;
		default: {
			/* maps: the parser takes a length, so it gets exactly the line, unterminated. */
			char *exact = malloc(len ? len : 1);

			if (!exact)
				break;
			memcpy(exact, p, len);
			if (!proc_parse_maps_line(exact, len, &m) && m.name_len &&
			    (m.name < exact || m.name + m.name_len > exact + len))
				abort();
			free(exact);
			break;
		}
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	struct proc_status ss;
	int which;
	char *text;

	if (size < 1)
		return 0;
	which = data[0] % 9;
	size--;
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, size);
	switch (which) {
	case 0:
		if (!proc_parse_stat(text, size, &st) && !memchr(st.comm, '\0', sizeof(st.comm)))
			abort();
		break;
	case 1:
		(void)proc_parse_status(text, size, &ss);
		break;
	case 8:
		(void)proc_environ_get(text, size, "GOTRACEBACK");
		(void)proc_environ_get(text, size, "");
		break;
	default:
		each_line(text, size, which);
		break;
	}
	free(text);
	return 0;
}
