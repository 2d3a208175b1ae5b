/* pf-test-cli.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-test-cli.h"
#include "pf-test-util.h"

void
pf_test_run_clear (PfTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

const char *
pf_test_cli_path (void)
{
  static char *path;

  if (path == NULL)
    path = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "popfetch-cli", NULL);
  return path;
}

void
pf_test_run_cli (PfTestRun          *run,
                 const char         *input,
                 const char * const *argv)
{
  pf_test_run_cli_env (run, input, NULL, argv);
}

/* HOME and the XDG directories: G_TEST_OPTION_ISOLATE_DIRS changes them
 * for this process only. */
static GSubprocessLauncher *
isolated_launcher_new (void)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  return launcher;
}

GSubprocessLauncher *
pf_test_cli_launcher_new (const char *cwd)
{
  GSubprocessLauncher *launcher = isolated_launcher_new ();

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  return launcher;
}

/* "NAME=VALUE" sets, a bare "NAME" unsets. */
static void
apply_env (GSubprocessLauncher *launcher,
           const char * const  *env)
{
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      if (pair[1] != NULL)
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, pair[0]);
    }
}

static GPtrArray *
cli_argv (const char * const *argv)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) pf_test_cli_path ());
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  return args;
}

static void
finish_run (PfTestRun          *run,
            GSubprocess        *proc,
            const char * const *argv)
{
  if (!g_subprocess_get_if_exited (proc))
    g_test_message ("popfetch-cli %s: killed by signal %d\nstdout:\n%s\nstderr:\n%s",
                    argv[0] != NULL ? argv[0] : "", g_subprocess_get_term_sig (proc),
                    run->out, run->err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("popfetch-cli %s: exit %d\nstdout:\n%s\nstderr:\n%s",
                  argv[0] != NULL ? argv[0] : "", run->status, run->out, run->err);
}

void
pf_test_run_cli_env (PfTestRun          *run,
                     const char         *input,
                     const char * const *env,
                     const char * const *argv)
{
  g_autoptr(GPtrArray) args = cli_argv (argv);
  g_autoptr(GSubprocessLauncher) launcher = isolated_launcher_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  apply_env (launcher, env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL,
                                                &run->out, &run->err, &error));
  g_assert_no_error (error);
  finish_run (run, proc, argv);
}

typedef struct
{
  PfTestRun *run;
  gboolean   done;
} Communication;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communication *communication = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                        &communication->run->out, &communication->run->err, &error);
  g_assert_no_error (error);
  communication->done = TRUE;
}

void
pf_test_run_cli_iterating (PfTestRun          *run,
                           const char         *cwd,
                           const char         *input,
                           const char * const *env,
                           const char * const *argv)
{
  g_autoptr(GPtrArray) args = cli_argv (argv);
  g_autoptr(GSubprocessLauncher) launcher = pf_test_cli_launcher_new (cwd);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Communication communication = { run, FALSE };

  apply_env (launcher, env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, input != NULL ? input : "", NULL, on_communicated, &communication);
  pf_test_wait_until (&communication.done, 30);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  finish_run (run, proc, argv);
}

void
pf_test_run_clif (PfTestRun  *run,
                  const char *input,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  pf_test_run_cli (run, input, (const char * const *) argv->pdata);
}

char *
pf_test_accounts_file (void)
{
  return g_build_filename (g_get_user_config_dir (), "popfetch", "accounts.ini", NULL);
}
