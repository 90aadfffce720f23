/* SPDX-License-Identifier: GPL-2.0 */
/* Local CO-RE views of the sctp structures.  The build machine's
 * vmlinux.h has no sctp types (sctp is a module, its types live in the
 * module's split BTF, /sys/kernel/btf/sctp); these declarations carry only
 * the fields peel.bpf.c reads, and libbpf relocates every access against
 * the module BTF at load time.  Layout here means nothing: names do.
 * The ___pb suffix (a CO-RE "flavour", ignored by libbpf when matching)
 * keeps them apart from the partial sctp types some hosts' vmlinux.h
 * carries (6.18 has struct sctp_association through its users). */
#ifndef PEELBENCH_SCTP_CORE_H
#define PEELBENCH_SCTP_CORE_H

#define __pa __attribute__((preserve_access_index))

struct sctp_ulpq___pb {
	struct sk_buff_head reasm;
	struct sk_buff_head reasm_uo;	/* I-DATA unordered, since 4.17 */
	struct sk_buff_head lobby;
} __pa;

struct sctp_outq___pb {
	struct list_head out_chunk_list;
	unsigned int out_qlen;		/* bytes of data in out_chunk_list */
	__u32 outstanding_bytes;	/* transmitted, not yet acked */
} __pa;

struct sctp_association___pb {
	struct list_head asocs;		/* entry in ep->asocs */
	int assoc_id;
	struct sctp_outq___pb outqueue;
	struct sctp_ulpq___pb ulpq;
} __pa;

struct sctp_endpoint___pb {
	struct list_head asocs;
} __pa;

struct sctp_sock___pb {
	struct sctp_endpoint___pb *ep;
} __pa;

#undef __pa
#endif
