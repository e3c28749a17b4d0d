/* kb/registry.c — loading the SMTP knowledge (basic codes, IANA enhanced codes, mail-service
 * patterns) from the profiles and explaining replies; see kb.h. Provider patterns are matched
 * before the registries because providers reuse enhanced codes with other meanings (Microsoft
 * 5.7.30 is not IANA's X.7.30), but only in context: a pattern applies when its service is
 * recognised (hint or reply markers) or when its wording is the provider's own
 * ("scope": "self-identifying"); generic wording from an unknown server gets the registry meaning. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "kb/kb_internal.h"
#include "profile/profile.h"
#include "core/smtp_reply.h"

static struct kb_state kb;

const struct kb_state *kb_state(void)
{
	return &kb;
}

static void add_regexes(struct kb_regexes *rs, const json_t *arr, const char *where)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		if (regcomp(&rs->v[rs->n], json_string_value(v), REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
			strlist_add_owned(&kb.errors, xasprintf("%s: regular expression does not compile: %s", where,
								json_string_value(v)));
			continue;
		}
		rs->n++;
	}
}

static bool regexes_match(const struct kb_regexes *rs, const char *s)
{
	for (size_t i = 0; s && i < rs->n; i++)
		if (regexec(&rs->v[i], s, 0, NULL, 0) == 0)
			return true;
	return false;
}

static void load_service(const char *path, json_t *root, void *user)
{
	(void)user;
	struct kb_service *s;
	kb.services = xrealloc(kb.services, (kb.nservices + 1) * sizeof(*kb.services));
	s = &kb.services[kb.nservices++];
	memset(s, 0, sizeof(*s));
	s->json = json_incref(root);
	s->id = profile_str(root, "id");
	s->name = profile_str(root, "name");
	if (!s->id || !s->name)
		strlist_add_owned(&kb.errors, xasprintf("profile %s: missing id or name", path));
	const json_t *rec = json_object_get(root, "recognise");
	add_regexes(&s->hosts, json_object_get(rec, "hosts"), path);
	add_regexes(&s->banner, json_object_get(rec, "banner"), path);
	add_regexes(&s->ehlo, json_object_get(rec, "ehlo"), path);
	add_regexes(&s->reply, json_object_get(rec, "reply"), path);
	const json_t *pats = json_object_get(root, "patterns");
	size_t i;
	json_t *p;
	s->patterns = xcalloc(json_array_size(pats) + 1, sizeof(*s->patterns));
	json_array_foreach(pats, i, p) {
		struct kb_pattern *kp = &s->patterns[s->npatterns];
		if (!profile_str(p, "match")) {
			strlist_add_owned(&kb.errors, xasprintf("profile %s: pattern %s: missing match", path,
								profile_str(p, "id") ? profile_str(p, "id") : "?"));
			continue;
		}
		/* compiled on first use (pattern_matches): most runs try only a few */
		kp->json = p;
		kp->code = (int)profile_int(p, "code", 0);
		const char *scope = profile_str(p, "scope");
		kp->self_identifying = scope && strcmp(scope, "self-identifying") == 0;
		if (!scope || (!kp->self_identifying && strcmp(scope, "service") != 0))
			strlist_add_owned(&kb.errors, xasprintf("profile %s: pattern %s: scope must be \"self-identifying\" or "
								"\"service\" (treated as \"service\")", path,
								profile_str(p, "id") ? profile_str(p, "id") : "?"));
		s->npatterns++;
	}
}

static void load_smtp(const char *path, json_t *root, void *user)
{
	(void)user;
	const char *schema = profile_str(root, "schema");
	if (schema && strstr(schema, "basic-codes"))
		kb.basic = json_incref(root);
	else if (schema && strstr(schema, "enhanced-codes"))
		kb.enhanced = json_incref(root);
	else
		strlist_add_owned(&kb.errors, xasprintf("profile %s: unknown schema", path));
}

int kb_load(const char *overlay_dir)
{
	if (kb.loaded)
		return 0;
	kb.loaded = true;
	kb.overlay = overlay_dir ? xstrdup(overlay_dir) : NULL;
	profile_each("smtp/", overlay_dir, load_smtp, NULL, &kb.errors);
	profile_each("mail/", overlay_dir, load_service, NULL, &kb.errors);
	if (!kb.basic || !kb.enhanced)
		strlist_add(&kb.errors, "the SMTP code registries (devices/smtp/*.json) are missing");
	kb_warn_errors(&kb.errors, 0);
	return kb.basic && kb.enhanced ? 0 : -1;
}

void kb_warn_errors(const struct strlist *errors, size_t from)
{
	for (size_t i = from; i < errors->n; i++)
		fprintf(stderr, "mfpdoctor: warning: %s (the rest of the knowledge base is used)\n", errors->v[i]);
}

const struct strlist *kb_load_errors(void)
{
	return &kb.errors;
}

void kb_unload(void)
{
	for (size_t i = 0; i < kb.nservices; i++) {
		struct kb_service *s = &kb.services[i];
		for (size_t k = 0; k < s->npatterns; k++)
			if (s->patterns[k].compiled)
				regfree(&s->patterns[k].re);
		free(s->patterns);
		struct kb_regexes *all[] = {&s->hosts, &s->banner, &s->ehlo, &s->reply};
		for (size_t a = 0; a < ARRAY_SIZE(all); a++) {
			for (size_t k = 0; k < all[a]->n; k++)
				regfree(&all[a]->v[k]);
			free(all[a]->v);
		}
		json_decref(s->json);
	}
	free(kb.services);
	json_decref(kb.basic);
	json_decref(kb.enhanced);
	strlist_free(&kb.errors);
	free(kb.overlay);
	memset(&kb, 0, sizeof(kb));
}

void kb_explanation_free(struct kb_explanation *e)
{
	free(e->kind);
	free(e->class_name);
	free(e->category);
	free(e->title);
	free(e->meaning);
	free(e->fix);
	free(e->provider);
	free(e->vendor);
	free(e->matched);
	free(e->confidence);
	free(e->stage_confidence);
	free(e->reply_confidence);
	free(e->provider_basis);
	strlist_free(&e->sources);
	memset(e, 0, sizeof(*e));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void kb_explanation_copy(struct kb_explanation *d, const struct kb_explanation *s)
{
	*d = *s; /* the scalars; every pointer is replaced below */
	char **dst[] = {&d->kind, &d->class_name, &d->category, &d->title, &d->meaning, &d->fix, &d->provider,
			&d->vendor, &d->matched, &d->confidence, &d->stage_confidence, &d->reply_confidence,
			&d->provider_basis};
	for (size_t i = 0; i < ARRAY_SIZE(dst); i++)
		*dst[i] = dup_or_null(*dst[i]);
	memset(&d->sources, 0, sizeof(d->sources));
	for (size_t i = 0; i < s->sources.n; i++)
		strlist_add(&d->sources, s->sources.v[i]);
}

static enum stage first_stage(const json_t *obj)
{
	const json_t *st = json_object_get(obj, "stage");
	if (json_is_array(st))
		st = json_array_get(st, 0);
	if (!json_is_string(st))
		return STAGE_UNKNOWN;
	enum stage s = stage_parse(json_string_value(st));
	return s == STAGE_LAST ? STAGE_UNKNOWN : s;
}

static void set_str(char **dst, const char *v)
{
	if (v && !*dst)
		*dst = xstrdup(v);
}

int kb_service_identify(const char *host, const char *banner, const char **id, const char **name)
{
	kb_load(NULL);
	int best = -1;
	long long best_prio = 0;
	for (size_t i = 0; i < kb.nservices; i++) {
		const struct kb_service *s = &kb.services[i];
		if (!(regexes_match(&s->hosts, host) || regexes_match(&s->banner, banner) || regexes_match(&s->ehlo, banner)))
			continue;
		/* services with the same banner (Exchange Online vs on premises) rank by priority */
		long long prio = profile_int(json_object_get(s->json, "recognise"), "priority", 0);
		if (best < 0 || prio > best_prio) {
			best = (int)i;
			best_prio = prio;
		}
	}
	if (best >= 0) {
		if (id)
			*id = kb.services[best].id;
		if (name)
			*name = kb.services[best].name;
	}
	return best;
}

int kb_service_from_reply(const char *reply)
{
	kb_load(NULL);
	int best = -1;
	long long best_prio = 0;
	for (size_t i = 0; reply && i < kb.nservices; i++) {
		if (!regexes_match(&kb.services[i].reply, reply))
			continue;
		long long prio = profile_int(json_object_get(kb.services[i].json, "recognise"), "priority", 0);
		if (best < 0 || prio > best_prio) {
			best = (int)i;
			best_prio = prio;
		}
	}
	return best;
}

const json_t *kb_service_json(const char *id)
{
	kb_load(NULL);
	for (size_t i = 0; id && i < kb.nservices; i++)
		if (kb.services[i].id && strcmp(kb.services[i].id, id) == 0)
			return kb.services[i].json;
	return NULL;
}

/* Matches a provider pattern, compiling it the first time; an ERE that does not compile is
 * reported once among the load errors and never matches. See kb_internal.h. */
bool kb_pattern_matches(const struct kb_pattern *cp, const char *text)
{
	struct kb_pattern *p = (struct kb_pattern *)cp; /* the compiled form is a cache */
	if (!p->compiled && !p->broken) {
		if (regcomp(&p->re, profile_str(p->json, "match"), REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0) {
			p->compiled = true;
		} else {
			p->broken = true;
			strlist_add_owned(&kb.errors, xasprintf("pattern %s: regular expression does not compile",
								profile_str(p->json, "id") ? profile_str(p->json, "id") : "?"));
			kb_warn_errors(&kb.errors, kb.errors.n - 1);
		}
	}
	return p->compiled && regexec(&p->re, text, 0, NULL, 0) == 0;
}

/* Tries the patterns of s; with basis NULL only the self-identifying ones (the service is not
 * recognised). */
static bool try_service(struct kb_service *s, const char *reply, int code, const char *basis, struct kb_explanation *out)
{
	for (size_t k = 0; k < s->npatterns; k++) {
		struct kb_pattern *p = &s->patterns[k];
		if (p->code && code && p->code != code)
			continue;
		if (!basis && !p->self_identifying)
			continue;
		if (!kb_pattern_matches(p, reply))
			continue;
		set_str(&out->title, profile_str(p->json, "id"));
		set_str(&out->meaning, profile_str(p->json, "meaning"));
		set_str(&out->fix, profile_str(p->json, "fix"));
		set_str(&out->category, profile_str(p->json, "category"));
		set_str(&out->confidence, profile_str(p->json, "confidence"));
		set_str(&out->provider, s->name);
		set_str(&out->provider_basis, basis ? basis : "unique wording");
		out->stage = first_stage(p->json);
		if (out->stage != STAGE_UNKNOWN)
			set_str(&out->stage_confidence, out->confidence);
		profile_strings(p->json, "sources", &out->sources);
		return true;
	}
	return false;
}

static const json_t *find_enhanced(const char *xcode)
{
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(kb.enhanced, "codes"), i, v) {
		const char *c = profile_str(v, "code");
		if (c && strcmp(c, xcode) == 0)
			return v;
	}
	return NULL;
}

static const json_t *find_by_int(const char *arr, const char *key, long long val)
{
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(kb.enhanced, arr), i, v)
		if (profile_int(v, key, -1) == val)
			return v;
	return NULL;
}

int kb_explain_enhanced(const char *enh, struct kb_explanation *out)
{
	kb_load(NULL);
	char cls = enh[0];
	const char *dot = strchr(enh, '.');
	if (!dot || (cls != '2' && cls != '4' && cls != '5'))
		return -1;
	char x[16];
	snprintf(x, sizeof(x), "X%s", dot);
	const json_t *e = find_enhanced(x);
	if (!out->class_name)
		out->class_name = xstrdup(cls == '2' ? "positive-completion" : cls == '4' ? "transient" : "permanent");
	if (!out->enhanced[0])
		snprintf(out->enhanced, sizeof(out->enhanced), "%s", enh);
	if (e) {
		set_str(&out->title, profile_str(e, "title"));
		set_str(&out->meaning, profile_str(e, "meaning"));
		set_str(&out->fix, profile_str(e, "fix"));
		set_str(&out->category, profile_str(e, "category"));
		if (out->stage == STAGE_UNKNOWN || out->stage == 0)
			out->stage = first_stage(e);
		profile_strings(e, "sources", &out->sources);
		set_str(&out->confidence, "sourced");
		if (out->stage != STAGE_UNKNOWN)
			set_str(&out->stage_confidence, "sourced");
		return 0;
	}
	/* not enumerated: the subject still says something */
	long long subject = atoll(dot + 1);
	const json_t *sub = find_by_int("subjects", "subject", subject);
	if (sub) {
		char *t = xasprintf("%s (detail code not in the IANA registry)", profile_str(sub, "title") ? profile_str(sub, "title") : "");
		set_str(&out->title, t);
		free(t);
		set_str(&out->meaning, profile_str(sub, "meaning"));
		set_str(&out->category, profile_str(sub, "category"));
		profile_strings(sub, "sources", &out->sources);
		set_str(&out->confidence, "inferred");
	}
	return sub ? 0 : -1;
}

int kb_explain_basic(int code, struct kb_explanation *out)
{
	kb_load(NULL);
	size_t i;
	const json_t *v, *best = NULL;
	json_array_foreach(json_object_get(kb.basic, "codes"), i, v) {
		if (profile_int(v, "code", -1) != code)
			continue;
		const char *e = profile_str(v, "enhanced");
		if (!best || (e && out->enhanced[0] && strcmp(e, out->enhanced) == 0))
			best = v;
	}
	out->code = code;
	if (!out->class_name)
		out->class_name = xstrdup(smtp_reply_class(code));
	if (!best)
		return -1;
	set_str(&out->meaning, profile_str(best, "meaning"));
	char *fix = NULL;
	const char *cause = profile_str(best, "cause");
	const char *f = profile_str(best, "fix");
	if (cause && f)
		fix = xasprintf("%s %s", cause, f);
	set_str(&out->fix, fix ? fix : f);
	free(fix);
	set_str(&out->category, profile_str(best, "category"));
	if (out->stage == STAGE_UNKNOWN || out->stage == 0)
		out->stage = first_stage(best);
	profile_strings(best, "sources", &out->sources);
	set_str(&out->confidence, "sourced");
	if (out->stage != STAGE_UNKNOWN)
		set_str(&out->stage_confidence, "sourced");
	return 0;
}

int kb_explain_reply(const char *reply, int code, const char *enhanced, const char *hint,
		     struct kb_explanation *out)
{
	kb_load(NULL);
	memset(out, 0, sizeof(*out));
	out->kind = xstrdup("smtp-reply");
	out->code = code;
	out->stage = STAGE_UNKNOWN;
	out->stage_guess = STAGE_UNKNOWN;
	out->matched = xstrdup(reply ? reply : "");
	if (enhanced)
		snprintf(out->enhanced, sizeof(out->enhanced), "%s", enhanced);
	out->class_name = xstrdup(smtp_reply_class(code));
	/* the service whose wording applies in full: named by the hint, else by the reply itself */
	int first = -1;
	const char *basis = "service";
	for (size_t i = 0; hint && i < kb.nservices; i++)
		if (kb.services[i].id && strcmp(kb.services[i].id, hint) == 0)
			first = (int)i;
	if (first < 0 && hint)
		first = kb_service_identify(hint, hint, NULL, NULL);
	if (first < 0) {
		first = kb_service_from_reply(out->matched);
		basis = "reply text";
	}
	bool found = false;
	if (first >= 0)
		found = try_service(&kb.services[first], out->matched, code, basis, out);
	for (size_t i = 0; !found && i < kb.nservices; i++)
		if ((int)i != first)
			found = try_service(&kb.services[i], out->matched, code, NULL, out);
	if (found)
		return 0;
	int r1 = out->enhanced[0] ? kb_explain_enhanced(out->enhanced, out) : -1;
	int r2 = kb_explain_basic(code, out);
	return (r1 == 0 || r2 == 0) ? 0 : -1;
}
