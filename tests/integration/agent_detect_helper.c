/* agent_detect_helper.c - actions for tests/integration/agent_detect.sh that
 * busybox cannot do, compiled static by the test and copied into the
 * container's root filesystem:
 *   memfd    memfd_create("bwpayload"), copy /bin/busybox into it, fexecve
 *            it as "true" (fileless execution)
 *   ptrace   fork a child and PTRACE_ATTACH to it
 *   setid    seteuid(65534) then seteuid(0): a non-root identity taking
 *            root back (needs CAP_SETUID in the container)
 *   module   finit_module on /dev/null (fails without CAP_SYS_MODULE; the
 *            attempt is what is detected)
 * Exit 0 when the action was carried out as far as the kernel allows. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int do_memfd(void)
{
	int src = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (src < 0 || fstat(src, &st) != 0) {
		perror("/bin/busybox");
		return 1;
	}
	int fd = memfd_create("bwpayload", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		return 1;
	}
	off_t off = 0;
	while (off < st.st_size)
		if (sendfile(fd, src, &off, (size_t)(st.st_size - off)) <= 0) {
			perror("sendfile");
			return 1;
		}
	char *argv[] = {"true", NULL};
	char *envp[] = {NULL};
	fexecve(fd, argv, envp);
	perror("fexecve");
	return 1;
}

static int do_ptrace(void)
{
	pid_t child = fork();

	if (child < 0)
		return 1;
	if (child == 0) {
		for (int i = 0; i < 100; i++)
			usleep(50000);
		_exit(0);
	}
	int rc = 0;
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL) != 0) {
		perror("PTRACE_ATTACH");
		rc = 1;
	} else {
		waitpid(child, NULL, 0);
		ptrace(PTRACE_DETACH, child, NULL, NULL);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}

static int do_setid(void)
{
	if (seteuid(65534) != 0) {
		perror("seteuid(65534)");
		return 1;
	}
	usleep(100000);
	if (seteuid(0) != 0) {
		perror("seteuid(0)");
		return 1;
	}
	return 0;
}

static int do_module(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return 1;
	long r = syscall(SYS_finit_module, fd, "", 0);
	printf("finit_module: %ld (%s)\n", r, r ? strerror(errno) : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s memfd|ptrace|setid|module\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "memfd") == 0)
		return do_memfd();
	if (strcmp(argv[1], "ptrace") == 0)
		return do_ptrace();
	if (strcmp(argv[1], "setid") == 0)
		return do_setid();
	if (strcmp(argv[1], "module") == 0)
		return do_module();
	return 2;
}
