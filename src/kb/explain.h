/* kb/explain.h — `explain`: telling apart what a helpdesk pastes (a vendor code, an SMTP reply
 * line or multi-line reply, an enhanced code, a basic code, or a transcript/log holding many
 * replies) and explaining each item from the knowledge base, provider patterns first. Pure:
 * text and options in, a result out; rendering lives in report/explain_report.h. */
#ifndef MFP_KB_EXPLAIN_H
#define MFP_KB_EXPLAIN_H
#include <stdbool.h>
#include <stddef.h>

#include "core/stage.h"
#include "kb/kb.h"
#include "kb/observed.h"
#include "util/buf.h"

/* What the input as a whole was taken for. */
enum explain_input {
	EXPLAIN_IN_NONE,          /* empty, garbage or an impossible code */
	EXPLAIN_IN_VENDOR_CODE,
	EXPLAIN_IN_REPLY,         /* one reply, possibly multi-line */
	EXPLAIN_IN_ENHANCED,
	EXPLAIN_IN_BASIC,
	EXPLAIN_IN_TRANSCRIPT,    /* a transcript or log with zero or more replies */
};

/* One explained item. */
struct explain_match {
	struct kb_explanation e;   /* kind, class, stage, category, meaning, fix, provider, vendor... */
	int line;                  /* 1-based line of the input it came from (0 for single inputs) */
	enum stage observed;       /* stage seen in a transcript (the command answered), else STAGE_UNKNOWN */
	bool failure;              /* transient/permanent reply, or a vendor error code */
	/* vendor codes only */
	char *code;                /* canonical code ("017-715") */
	char *reveal;              /* the mfpdoctor test that settles an unconfirmed meaning */
	char *shown_as;
	struct strlist fixes;
	struct strlist families;   /* family display names, or "all" */
	struct strlist replies;    /* SMTP replies that typically cause it */
	struct strlist reply_notes;/* for each reply: our one-line reading of it ("" if none) */
	struct kb_observations seen_here; /* local observations (listen --learn); never change a claim */
	/* SMTP items */
	struct strlist also;       /* other providers whose pattern also matched, "Name: meaning" */
	struct strlist provider_uses; /* enhanced/basic code alone: providers using it, "Name (reply): meaning" */
};

struct explain_result {
	char *input;               /* sanitised copy of the input */
	enum explain_input kind;
	struct explain_match *v;
	size_t n, cap;
	long first_failure;        /* index into v, or -1 */
	bool ambiguous;            /* a vendor code with several candidates */
	struct strlist notes;      /* plain sentences for the reader */
};

struct explain_opts {
	const char *vendor;        /* vendor id or name, or NULL */
	const char *family;        /* family id/name/model, or NULL */
	const char *service;       /* mail-service id or host/banner hint, or NULL */
};

/* Explains text into res (zeroed first). Returns MFP_EXIT_OK (0) when at least one item was
 * recognised, MFP_EXIT_UNKNOWN (3) when nothing was (res->notes says why). Unknown --vendor or
 * --family values are the caller's to check first (kb_vendor_find / kb_vendor_family).
 * Free res with explain_result_free. */
int explain_text(const char *text, const struct explain_opts *opts, struct explain_result *res);

void explain_result_free(struct explain_result *res);

/* Name of an input kind: "vendor-code", "smtp-reply", "enhanced-code", "basic-code",
 * "transcript" or "none". */
const char *explain_input_name(enum explain_input k);

#endif
