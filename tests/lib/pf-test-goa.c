/* pf-test-goa.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "pf-test-goa.h"

struct _PfTestGoa
{
  char        *dir;
  char        *config;
  char        *record;
  GSubprocess *service;
};

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

PfTestGoa *
pf_test_goa_start (const char *accounts_json)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  PfTestGoa *self = g_new0 (PfTestGoa, 1);

  self->dir = g_dir_make_tmp ("pf-goa-XXXXXX", &error);
  g_assert_no_error (error);
  self->config = g_build_filename (self->dir, "accounts.json", NULL);
  self->record = g_build_filename (self->dir, "calls", NULL);
  g_file_set_contents (self->config, accounts_json, -1, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->service = g_subprocess_launcher_spawn (launcher, &error, PF_TEST_GI_PYTHON, PF_TEST_GOA_SERVICE_SCRIPT,
                                               self->config, self->record, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->service));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "READY");
  return self;
}

char *
pf_test_goa_dup_calls (PfTestGoa *self)
{
  g_autoptr(GError) error = NULL;
  char *calls = NULL;

  g_file_get_contents (self->record, &calls, NULL, &error);
  g_assert_no_error (error);
  return calls;
}

void
pf_test_goa_stop (PfTestGoa *self)
{
  if (self == NULL)
    return;
  g_subprocess_force_exit (self->service);
  g_subprocess_wait (self->service, NULL, NULL);
  g_clear_object (&self->service);
  g_remove (self->config);
  g_remove (self->record);
  g_remove (self->dir);
  g_free (self->config);
  g_free (self->record);
  g_free (self->dir);
  g_free (self);
}
