# EYN-OS: a higher-half i386 kernel with a complete virtual-memory system.
#   make         build/kernel.elf (Multiboot 1)
#   make iso     build/eyn-os.iso (GRUB)
#   make run     boot the ISO in QEMU (installs missing packages when root)
#   make debug   the same, frozen for gdb; prints the gdb command to attach with (GDBPORT=1234)
#   make test    every test; ends with "N passed, N failed"
#   make check-host   only the host unit tests
#   make fuzz    the system-call fuzzer in QEMU (SEED=1 or SEEDS="1 2 3", CALLS=100000, MEM=128)
#   make bench   the same benchmark binary on this kernel and on Linux 6.1 -> BENCHMARKS.md

CC := gcc
LD := ld
BUILD := build
MEM ?= 128

KCFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
           -fno-omit-frame-pointer -mgeneral-regs-only -fno-asynchronous-unwind-tables \
           -O2 -g -Wall -Wextra -Werror -I. -Iinclude -MMD -MP
KASFLAGS := -m32 -I. -Iinclude -MMD -MP
KLDFLAGS := -m elf_i386 -T arch/i386/linker.ld -nostdlib -z noexecstack --no-warn-rwx-segments
LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name 2>/dev/null)

KDIRS := arch/i386 arch/i386/pmap kern kern/sys kern/procfs mm/pmm mm/kmem mm/vm mm/pager mm/zpool mm/reclaim fs drivers drivers/tty drivers/pci drivers/block shell lib tests/kern
KSRC := $(foreach d,$(KDIRS),$(wildcard $(d)/*.c))
KASM := $(wildcard arch/i386/*.S)
KOBJ := $(KSRC:%.c=$(BUILD)/k/%.o) $(KASM:%.S=$(BUILD)/k/%.o)

.PHONY: all iso initrd extra run debug test check-host deps clean bench bench-initrd fuzz
all: $(BUILD)/kernel.elf $(BUILD)/initrd.tar

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# Two-pass link: the symbol table sits after .rodata, so adding it moves
# no function; the check below proves it.
$(BUILD)/ksyms0.o: tools/gen-ksyms.sh
	@mkdir -p $(BUILD)
	tools/gen-ksyms.sh > $(BUILD)/ksyms0.S
	$(CC) -m32 -c $(BUILD)/ksyms0.S -o $@

$(BUILD)/kernel.pass1.elf: $(KOBJ) $(BUILD)/ksyms0.o arch/i386/linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms0.o $(LIBGCC)

$(BUILD)/kernel.elf: $(BUILD)/kernel.pass1.elf
	tools/gen-ksyms.sh $< > $(BUILD)/ksyms.S
	$(CC) -m32 -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms.o $(LIBGCC)
	@nm -n $< | grep ' [tT] ' > $(BUILD)/syms1.txt; nm -n $@ | grep ' [tT] ' > $(BUILD)/syms2.txt; \
	 cmp -s $(BUILD)/syms1.txt $(BUILD)/syms2.txt || { echo "ksyms: text moved between link passes" >&2; rm -f $@; exit 1; }
	@size $@

# User programs: ordinary static glibc executables, packed into the initrd.
USER_SRC := $(wildcard user/*.c)
USER_BIN := $(USER_SRC:user/%.c=$(BUILD)/rootfs/bin/%)
UCFLAGS := -m32 -static -s -O2 -Wall -Wextra -Werror

$(BUILD)/rootfs/bin/%: user/%.c
	@mkdir -p $(dir $@)
	@echo "  USERCC  $<"
	@rm -f $@  # may be an applet link to /bin/busybox: never write through it
	@$(CC) $(UCFLAGS) $< -o $@

# Dynamically linked user programs (user/dynamic/*.c): run with Debian's i386 C library from the image.
DYN_SRC := $(wildcard user/dynamic/*.c)
DYN_BIN := $(DYN_SRC:user/dynamic/%.c=$(BUILD)/rootfs/bin/%)
DYNCFLAGS := -m32 -s -O2 -Wall -Wextra -Werror

$(BUILD)/rootfs/bin/%: user/dynamic/%.c
	@mkdir -p $(dir $@)
	@echo "  DYNCC   $<"
	@rm -f $@  # as for USERCC
	@$(CC) $(DYNCFLAGS) $< -o $@

# Debian i386 packages in the image (tools/debian-i386.list: the C library and its dynamic linker, memtester).
$(BUILD)/rootfs/.debian-i386: tools/debian-i386.sh tools/debian-i386.list
	tools/debian-i386.sh $(BUILD)/rootfs
	@touch $@

# The extra initrd module (tools/debian-i386-extra.list: stress-ng and its libraries), added to the
# root when given after the image: qemu ... -initrd build/initrd.tar,build/extra.tar (the boot tests do).
extra: $(BUILD)/extra.tar
$(BUILD)/extra.tar: tools/debian-i386.sh tools/debian-i386-extra.list
	rm -rf $(BUILD)/extra-rootfs && mkdir -p $(BUILD)/extra-rootfs
	tools/debian-i386.sh $(BUILD)/extra-rootfs tools/debian-i386-extra.list
	tar --format=ustar -C $(BUILD)/extra-rootfs -cf $@ .

# Debian's busybox-static (i386) as /bin/busybox, its applet links (/bin/sh among them) and
# /etc (tools/rootfs.sh, tools/skel); test scripts in /usr/share/eyn-tests. Everything is
# root's in the archive but /home/user, user 1000's.
$(BUILD)/rootfs/bin/busybox: tools/busybox.sh
	tools/busybox.sh $(BUILD)/rootfs

initrd: $(BUILD)/initrd.tar
$(BUILD)/initrd.tar: $(USER_BIN) $(DYN_BIN) $(BUILD)/rootfs/.debian-i386 $(BUILD)/rootfs/bin/busybox \
		$(wildcard tests/scripts/*.sh) tools/rootfs.sh $(wildcard tools/skel/etc/*)
	ln -sfn t_files $(BUILD)/rootfs/bin/t_files.link
	tools/rootfs.sh $(BUILD)/rootfs
	mkdir -p $(BUILD)/rootfs/usr/share/eyn-tests
	cp tests/scripts/*.sh $(BUILD)/rootfs/usr/share/eyn-tests/
	tar --format=ustar --owner=0 --group=0 --numeric-owner -C $(BUILD)/rootfs -cf $@ bin sbin lib usr etc root \
		--no-recursion home
	tar --format=ustar --owner=1000 --group=1000 --numeric-owner -C $(BUILD)/rootfs -rf $@ home/user

# Benchmarks (never part of `make test`): bench/*.c is one static program,
# alone in its own initrd.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BUILD)/bench/rootfs/bin/vmbench

$(BENCH_BIN): $(BENCH_SRC) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	@echo "  BENCHCC $@"
	@$(CC) $(UCFLAGS) $(BENCH_SRC) -o $@

bench-initrd: $(BUILD)/bench/initrd.tar
$(BUILD)/bench/initrd.tar: $(BENCH_BIN)
	tar --format=ustar -C $(BUILD)/bench/rootfs -cf $@ bin

bench: deps
	@$(MAKE) --no-print-directory all bench-initrd
	tools/bench.sh

iso: $(BUILD)/eyn-os.iso
$(BUILD)/eyn-os.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.tar tools/grub.cfg
	@tools/deps.sh iso
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(BUILD)/kernel.elf $(BUILD)/iso/boot/kernel.elf
	cp $(BUILD)/initrd.tar $(BUILD)/iso/boot/initrd.tar
	cp tools/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>/dev/null

run: deps
	@$(MAKE) --no-print-directory iso
	tools/run.sh $(BUILD)/eyn-os.iso $(MEM)

# The image of make run, frozen for gdb (GDBPORT, 1234 by default); prints the gdb command.
GDBPORT ?= 1234
debug: deps
	@tools/deps.sh debug
	@$(MAKE) --no-print-directory iso
	@tools/debug.sh $(BUILD)/eyn-os.iso $(BUILD)/kernel.elf $(MEM) $(GDBPORT)

deps:
	@tools/deps.sh all

test: deps
	@$(MAKE) --no-print-directory all extra
	@tests/run-all.sh

# The system-call fuzzer (user/sysfuzz.c) run from the shell; checks the
# kernel survives and gives back every frame. Not part of `make test`, which
# runs a shorter fuzz case of its own.
SEED ?= 1
SEEDS ?= $(SEED)
CALLS ?= 100000
fuzz: deps
	@$(MAKE) --no-print-directory all
	python3 tools/fuzz.py --seeds "$(SEEDS)" --calls $(CALLS) --mem $(MEM) $(if $(EXCLUDE),--exclude $(EXCLUDE)) $(if $(JOBS),--jobs $(JOBS))

check-host:
	@tests/host/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k -name '*.d' 2>/dev/null)
