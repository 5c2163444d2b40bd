/* timeline.h: renderers of an explain run (core/explain.h): text, JSON, HTML. */
#ifndef RB_TIMELINE_H
#define RB_TIMELINE_H

#include <stdio.h>

#include "../core/explain_result.h"

struct timeline_opts {
	int lane;  /* characters per session column in the text (>= 24) */
	int color; /* ANSI colour in the text */
};

#define TIMELINE_LANE_PIPED  60 /* the lane width when not on a terminal */
#define TIMELINE_JSON_SCHEMA 1

/* Each returns 0, or -1 when writing failed. */
/*
 * The swimlane: a header (scenario, server, strategy, level, schedule), one
 * column per session with each statement, its result, "waiting..." and
 * "...completed" in its lane, then the invariant check, the verdict and
 * the story.
 */
int timeline_text(FILE *f, const struct explain_result *r, const struct timeline_opts *o);
/* The same as a JSON document (docs/explain.md lists its fields). */
int timeline_json(FILE *f, const struct explain_result *r);
/* That document as a jansson object (a new reference), for other reports to hold. */
typedef struct json_t json_t;
json_t *timeline_json_object(const struct explain_result *r);
/*
 * A self-contained HTML page holding timeline_html_section: one <section>
 * (class "rb-explain") with its own style, to be placed in other pages.
 */
int timeline_html(FILE *f, const struct explain_result *r);
int timeline_html_section(FILE *f, const struct explain_result *r);

#endif
