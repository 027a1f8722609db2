/* proc.h - the structs proc.bpf.c and src/agent/src_bpf.c share.
 * (placeholder by the lead; the BPF helper owns this file) */
#ifndef BW_BPF_PROC_H
#define BW_BPF_PROC_H
struct bw_proc_event {
	unsigned int type;
	int pid;
};
#endif
