# bash completion for gotrace and golist.
_gotrace_pids() { COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur")); }

_gotrace() {
	local cur prev sub
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	sub=${COMP_WORDS[1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "syscalls args funcs --help --version" -- "$cur"))
		return
	fi
	case $prev in
	-p|--pid) _gotrace_pids; return ;;
	--backend) COMPREPLY=($(compgen -W "auto bpf ptrace" -- "$cur")); return ;;
	--binary|--folded) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	case $sub in
	syscalls) COMPREPLY=($(compgen -W "-p --pid -d --duration -i --interval --json --backend --stacks --folded --top --help" -- "$cur")) ;;
	args) COMPREPLY=($(compgen -W "-p --pid --binary --ret --json -d --duration -n --count --strsize --backend --help" -- "$cur")) ;;
	funcs) COMPREPLY=($(compgen -W "-p --pid --binary --help" -- "$cur")) ;;
	esac
}

_golist() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	COMPREPLY=($(compgen -W "tree --json --no-header --help --version" -- "$cur"))
	[ "$COMP_CWORD" -eq 1 ] && COMPREPLY+=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"))
}

complete -F _gotrace gotrace
complete -F _golist golist
