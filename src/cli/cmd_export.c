/*
 * cmd_export.c: `entente export [--dir DIR] [--out DIR] FORMAT` writes the
 * node's usable indicators as files for Suricata, Zeek, plain lists, CSV,
 * or the exchanged detection rules (docs/export.md).
 *
 * Each file is written to a temporary name in the output directory,
 * synced, and renamed over the old one, so a tool reloading its lists
 * never reads half a file.  Indicators that cannot be exported are
 * listed on stderr with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "match/export.h"
#include "util/timeutil.h"

/* Long options of this command only. */
enum {
	OPT_EXPORT_OUT = 1000,
};

static void
export_usage(FILE *f)
{
	fprintf(f,
	    "usage: entente export [--dir DIR] [--out DIR] FORMAT\n\n"
	    "Write the node's usable indicators (not revoked, inside their\n"
	    "validity window) as files in --out (default: the current\n"
	    "directory, created if missing).  FORMAT is one of:\n"
	    "  suricata  datasets (entente-*.lst) and entente.rules\n"
	    "  zeek      Intel framework file entente-intel.txt\n"
	    "  plain     entente-<type>.txt, one value per line\n"
	    "  csv       entente.csv\n"
	    "  rules     suricata, snort, yara and sigma rules shared as\n"
	    "            indicators, one file per tool\n"
	    "Indicators that cannot be exported are listed on stderr.\n");
}

static int
export_run(struct store *st, enum match_export_fmt fmt, const char *out)
{
	struct match_export *x = NULL;
	struct cli_use use;
	struct stat sb;
	enum err err;
	int rc = CLI_EXIT_ERROR;

	if (stat(out, &sb) == -1) {
		if (errno != ENOENT || mkdir(out, 0755) == -1) {
			fprintf(stderr, "entente export: cannot use output "
			    "directory %s: %s\n", out, strerror(errno));
			return CLI_EXIT_ERROR;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "entente export: %s is not a directory\n", out);
		return CLI_EXIT_ERROR;
	}
	if ((err = cli_use_open(st, ts_now_us(), &use)) != ERR_OK) {
		fprintf(stderr, "entente export: cannot read the agreements: "
		    "%s\n", err_str(err));
		return cli_exit_code(err);
	}
	err = match_export_build(st, fmt, use.now, &use.use, &x);
	cli_use_close(&use);
	if (err != ERR_OK) {
		fprintf(stderr, "entente export: cannot read indicators: %s\n",
		    err_str(err));
		return cli_exit_code(err);
	}
	for (size_t i = 0; i < x->n_skipped; i++)
		fprintf(stderr, "entente export: skipped %s: %s\n",
		    x->skipped[i].id, x->skipped[i].why);
	if (x->n_left_out > 0)
		fprintf(stderr, "entente export: %zu e-mail address%s left "
		    "out (Suricata has no dataset for them)\n", x->n_left_out,
		    x->n_left_out == 1 ? "" : "es");
	for (size_t i = 0; i < x->n_files; i++) {
		char path[4096];

		err = cli_path(path, sizeof(path), out, x->files[i].name);
		if (err == ERR_OK)
			err = cli_write_atomic(path, x->files[i].data.ptr,
			    x->files[i].data.len, 0644);
		if (err != ERR_OK) {
			fprintf(stderr, "entente export: cannot write %s/%s: "
			    "%s\n", out, x->files[i].name, err == ERR_IO ?
			    strerror(errno) : err_str(err));
			goto done;
		}
	}
	printf("exported %zu %s from %zu indicators to %s (%zu files); "
	    "%zu skipped, %zu not usable\n", x->n_values,
	    fmt == MATCH_EXPORT_RULES ? "rules" : "values", x->n_indicators,
	    out, x->n_files, x->n_skipped, x->n_unusable);
	rc = CLI_EXIT_OK;
done:
	match_export_free(x);
	return rc;
}

/*
 * entente export [--dir DIR] [--out DIR] FORMAT: returns a CLI_EXIT_*
 * code (usage errors 2, no node 3, a file not written 1).
 */
int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "out", required_argument, NULL, OPT_EXPORT_OUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *out = ".";
	enum match_export_fmt fmt;
	struct store *st = NULL;
	int c, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR: dir = optarg; break;
		case OPT_EXPORT_OUT: out = optarg; break;
		case OPT_HELP:
			export_usage(stdout);
			return CLI_EXIT_OK;
		default:
			export_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || match_export_fmt_parse(argv[0], &fmt) != ERR_OK ||
	    out[0] == '\0') {
		export_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = export_run(st, fmt, out);
	store_close(st);
	return rc;
}
