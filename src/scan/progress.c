/* scan/progress.c — the progress line of `mfpdoctor scan` on stderr, only when it is drawn at all
 * (a terminal, or --progress): "[ 12/500] 2 failing, 4 running, 1.3/s, about 6 min left",
 * redrawn with \r and erased with ESC[K; never written into a pipe or a log by default. */
#include <time.h>

#include "scan/progress.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void scan_progress_init(struct scan_progress *p, FILE *out, size_t total, bool on)
{
	*p = (struct scan_progress){.on = on, .out = out, .total = total, .t0 = mono()};
}

static void left(char *out, size_t outsz, double s)
{
	if (s < 90)
		snprintf(out, outsz, "about %.0f s left", s);
	else if (s < 5400)
		snprintf(out, outsz, "about %.0f min left", s / 60);
	else
		snprintf(out, outsz, "about %.1f h left", s / 3600);
}

void scan_progress_draw(struct scan_progress *p)
{
	if (!p->on)
		return;
	double el = mono() - p->t0, rate = el > 0 ? p->done / el : 0;
	char eta[40] = "";
	if (p->done && rate > 0 && p->done < p->total) {
		eta[0] = ',';
		eta[1] = ' ';
		left(eta + 2, sizeof(eta) - 2, (double)(p->total - p->done) / rate);
	}
	fprintf(p->out, "\r[%zu/%zu] %zu failing, %zu running, %.1f/s%s\033[K", p->done, p->total, p->failing,
		p->running, rate, eta);
	fflush(p->out);
	p->shown = true;
}

void scan_progress_counts(struct scan_progress *p, size_t done, size_t running)
{
	p->done = done;
	p->running = running;
	scan_progress_draw(p);
}

void scan_progress_failing(struct scan_progress *p)
{
	p->failing++;
}

void scan_progress_clear(struct scan_progress *p)
{
	if (!p->on || !p->shown)
		return;
	fputs("\r\033[K", p->out);
	fflush(p->out);
	p->shown = false;
}
