/*
 * install-check.c - a program built only from what `make install` puts in
 * place (tools/test-install.sh compiles it with pkg-config): the seeds'
 * example through the installed library, on the model device.
 */
#include <stdio.h>
#include <string.h>
#include <mmu.h>

int main(void)
{
	struct dev *d;
	struct mmu_os *os;
	struct mmu_os_config oc = { MMU_MODE_SV39, 8, 64, NULL, 0 };
	char err[256], buf[16];
	int pid;
	uint64_t va;

	if (dev_open(&d, "model", NULL, 0, err, sizeof(err)) ||
	    mmu_os_new(&os, d, &oc, err, sizeof(err))) {
		fprintf(stderr, "install-check: %s\n", err);
		return 1;
	}
	pid = mmu_os_spawn(os);
	if (pid < 0 || mmu_os_mmap(os, pid, 0, 16 * 4096, MMU_PROT_R | MMU_PROT_W, 0, -1, 0, &va) ||
	    mmu_vm_write(os, pid, va + 5 * 4096 + 3, "libmmu", 7) ||
	    mmu_vm_read(os, pid, va + 5 * 4096 + 3, buf, 7) || strcmp(buf, "libmmu")) {
		fprintf(stderr, "install-check: the OS layer failed\n");
		return 1;
	}
	printf("libmmu %s: wrote and read back '%s' through the model's MMU\n", LIBMMU_VERSION, buf);
	mmu_os_free(os);
	dev_close(d);
	return 0;
}
