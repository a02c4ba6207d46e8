#!/bin/sh
# Generate the kernel symbol table (assembly for the .ksyms section) from a
# linked kernel: every text symbol, sorted by address.
# Usage: gen-ksyms.sh KERNEL.ELF > ksyms.S   (KERNEL.ELF may be absent: empty table)
set -eu
echo '.section .ksyms, "a"'
echo '.align 4'
echo '.globl ksym_table, ksym_count, ksym_names'
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo 'ksym_count: .long 0'
    echo 'ksym_table:'
    echo 'ksym_names: .byte 0'
    exit 0
fi
nm -n --defined-only "$1" | awk '
    $2 ~ /^[tT]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
    END {
        printf "ksym_count: .long %d\n", n
        print "ksym_table:"
        off = 0
        for (i = 0; i < n; i++) { printf ".long 0x%s, %d\n", addr[i], off; off += length(name[i]) + 1 }
        print "ksym_names:"
        for (i = 0; i < n; i++) printf ".asciz \"%s\"\n", name[i]
    }'
