/* pf-test-goa.h — the GNOME Online Accounts stand-in, from GTest programs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* tests/lib/pf-goa-service.py under python3 on the test's session bus
 * (run the test program in dbus-run-session with
 * tests/lib/pf-test-session-bus.conf, which starts nothing on demand, so
 * that GOA is absent whenever the stand-in is stopped). @accounts_json is
 * its configuration: {"accounts": [...]}, as the script's header says.
 * Returns once the stand-in owns org.gnome.OnlineAccounts; it dies with the
 * test. */
typedef struct _PfTestGoa PfTestGoa;

PfTestGoa *pf_test_goa_start     (const char *accounts_json);
/* The calls it answered so far, one "METHOD ID" line each. */
char      *pf_test_goa_dup_calls (PfTestGoa  *self);
void       pf_test_goa_stop      (PfTestGoa  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfTestGoa, pf_test_goa_stop)

G_END_DECLS
