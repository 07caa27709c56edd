#!/usr/bin/env bats
# Packaging: make install lays out binaries, man pages and completion; make deb installs and runs.

load helpers

top() { cd "$BATS_TEST_DIRNAME/../.." && pwd; }

@test "make install PREFIX DESTDIR installs binaries, man pages and completion" {
	dest=$BATS_TEST_TMPDIR/root
	run make -C "$(top)" --no-print-directory BUILD="$BUILD" install DESTDIR="$dest" PREFIX=/opt/gt
	assert_success
	[ -x "$dest/opt/gt/bin/gotrace" ]
	[ -x "$dest/opt/gt/bin/golist" ]
	[ -f "$dest/opt/gt/share/man/man1/gotrace.1" ]
	[ -f "$dest/opt/gt/share/man/man1/golist.1" ]
	[ -f "$dest/opt/gt/share/bash-completion/completions/gotrace" ]
	run "$dest/opt/gt/bin/gotrace" --version
	assert_success
	assert_line --index 0 "gotrace 0.1.0"
}

@test "man pages render with man -l without warnings" {
	for page in gotrace golist; do
		run sh -c "MANWIDTH=80 man -l '$(top)/docs/$page.1' 2>&1 >/dev/null"
		assert_success
		assert_output ""
		run sh -c "MANWIDTH=80 man -l '$(top)/docs/$page.1' 2>/dev/null"
		assert_output --partial "$page"
		assert_output --partial "SYNOPSIS"
	done
}

@test "bash completion offers the subcommands" {
	run bash -c "source '$(top)/tools/completion/gotrace.bash'; COMP_WORDS=(gotrace sy); COMP_CWORD=1; _gotrace; echo \${COMPREPLY[*]}"
	assert_success
	assert_output "syscalls"
}

@test "make deb builds a package that installs and runs from PATH" {
	run make -C "$(top)" --no-print-directory BUILD="$BUILD" deb
	assert_success
	deb=$BUILD/gotrace_0.1.0.deb
	[ -f "$deb" ]
	run dpkg-deb -c "$deb"
	assert_output --partial "./usr/bin/golist"
	assert_output --partial "./usr/share/man/man1/gotrace.1"
	run dpkg -i "$deb"
	assert_success
	run env PATH=/usr/bin:/bin golist --version
	dpkg -r gotrace >/dev/null
	assert_success
	assert_output --partial "golist"
	[ ! -e /usr/bin/golist ]
}
