/* pf-detector.c — autoconfig, SRV, MX and guesses, then every candidate
 * probed at once; the whole run bounded and cancellable
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-detector-private.h"

G_DEFINE_FINAL_TYPE (PfDetector, pf_detector, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RECOMMENDED,
  PROP_PROVIDER,
  N_PROPS
};

enum
{
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void maybe_finish (PfDetector *self);

/* The provider table says there is no POP3 here: why nothing was found. */
static GError *
no_pop3_error (PfProvider *provider)
{
  g_autofree char *text = pf_provider_describe_pop3 (provider);

  return g_error_new_literal (PF_ERROR, PF_ERROR_NOT_FOUND, text);
}

/* Bookkeeping: the run ends when nothing is outstanding. */
void
pf_detector_hold (PfDetector *self)
{
  self->outstanding++;
}

void
pf_detector_release (PfDetector *self)
{
  g_assert (self->outstanding > 0);
  self->outstanding--;
  maybe_finish (self);
}

void
pf_detector_emit_progress (PfDetector      *self,
                           PfDetectorEvent  event,
                           gpointer         object)
{
  g_signal_emit (self, signals[PROGRESS], 0, event, object);
}

/* An operation that the bound cut short fails with a timeout, not with
 * "cancelled": only the caller cancels. */
GError *
pf_detector_translate_cancel (PfDetector *self,
                              GError     *error)
{
  if (self->bound_reached && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                          _("Detection stopped after %u seconds before this answered."),
                          self->timeout);
    }
  if (self->stopped_for_provider && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return no_pop3_error (self->provider);
    }
  return error;
}

/* The provider table's word: its own servers, probed first and ranked
 * first. */
void
pf_detector_apply_provider (PfDetector *self,
                            PfProvider *provider,
                            gboolean    via_mx)
{
  GPtrArray *servers = pf_provider_get_servers (provider);
  PfProbeSource sources = PF_PROBE_SOURCE_PROVIDER | (via_mx ? PF_PROBE_SOURCE_VIA_MX : 0);

  g_assert (self->provider == NULL);
  self->provider = pf_provider_ref (provider);
  self->provider_via_mx = via_mx;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);

  if (pf_provider_get_pop3 (provider) == PF_PROVIDER_POP3_NO)
    return;
  for (guint i = 0; i < servers->len; i++)
    {
      PfProviderServer *server = servers->pdata[i];

      pf_detector_add_candidate (self, server->host, server->port, server->security, sources, NULL);
    }
}

/* ---- Ranking ------------------------------------------------------------ */

static int
compare_probes (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  PfDetector *self = user_data;

  return pf_probe_compare_rank (*(PfProbe **) a, *(PfProbe **) b, self->allow_plaintext);
}

static PfProbe *
best_done_probe (PfDetector *self)
{
  PfProbe *best = NULL;

  for (guint i = 0; i < self->probes->len; i++)
    {
      PfProbe *probe = self->probes->pdata[i];

      if (pf_probe_get_state (probe) != PF_PROBE_STATE_DONE ||
          !pf_probe_is_usable (probe, self->allow_plaintext))
        continue;
      if (best == NULL || pf_probe_compare_rank (probe, best, self->allow_plaintext) < 0)
        best = probe;
    }
  return best;
}

/* A lookup still running could add a host that outranks @best. */
static gboolean
lookup_could_outrank (PfDetector *self,
                      PfLookup   *lookup,
                      PfProbe    *best)
{
  g_autoptr(PfProbe) hypothetical = NULL;

  if (pf_lookup_get_finished (lookup))
    return FALSE;
  hypothetical = pf_probe_new ("hypothetical.invalid", 995, PF_SECURITY_TLS,
                               pf_detector_lookup_sources (lookup), G_MAXUINT);
  return pf_probe_could_outrank (hypothetical, best, self->allow_plaintext);
}

static void
set_recommended (PfDetector *self,
                 PfProbe    *probe)
{
  if (self->recommended != NULL || probe == NULL)
    return;
  self->recommended = g_object_ref (probe);
  self->recommended_ms = MAX (1, (guint) ((g_get_monotonic_time () - self->started_us) / 1000));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOMMENDED]);
  pf_detector_emit_progress (self, PF_DETECTOR_EVENT_RECOMMENDED, probe);
}

void
pf_detector_update_recommended (PfDetector *self)
{
  PfProbe *best;

  if (self->recommended != NULL)
    return;
  best = best_done_probe (self);
  if (best == NULL)
    return;

  for (guint i = 0; i < self->probes->len; i++)
    if (pf_probe_could_outrank (self->probes->pdata[i], best, self->allow_plaintext))
      return;
  for (guint i = 0; i < self->lookups->len; i++)
    if (lookup_could_outrank (self, self->lookups->pdata[i], best))
      return;

  set_recommended (self, best);
}

/* ---- The run ------------------------------------------------------------ */

static void
clear_run (PfDetector *self)
{
  g_clear_handle_id (&self->bound_source, g_source_remove);
  if (self->caller_cancellable != NULL && self->caller_cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
}

static void
maybe_finish (PfDetector *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) ranked = NULL;
  guint rank = 1;

  if (self->outstanding > 0 || self->task == NULL)
    return;

  task = g_steal_pointer (&self->task);
  clear_run (self);
  self->elapsed_ms = (guint) ((g_get_monotonic_time () - self->started_us) / 1000);

  if (g_task_return_error_if_cancelled (task))
    return;

  ranked = g_ptr_array_new_full (self->probes->len, g_object_unref);
  for (guint i = 0; i < self->probes->len; i++)
    g_ptr_array_add (ranked, g_object_ref (self->probes->pdata[i]));
  g_ptr_array_sort_with_data (ranked, compare_probes, self);
  for (guint i = 0; i < ranked->len; i++)
    pf_probe_set_rank (ranked->pdata[i],
                       pf_probe_is_usable (ranked->pdata[i], self->allow_plaintext) ? rank++ : 0);

  set_recommended (self, ranked->len > 0 && pf_probe_get_rank (ranked->pdata[0]) == 1 ? ranked->pdata[0] : NULL);
  g_task_return_pointer (task, g_steal_pointer (&ranked), (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
on_bound_reached (gpointer user_data)
{
  PfDetector *self = user_data;

  self->bound_source = 0;
  self->bound_reached = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  PfDetector *self = user_data;

  g_cancellable_cancel (self->cancellable);
}

void
pf_detector_run_async (PfDetector          *self,
                       const char          *address,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *domain = NULL;
  PfProvider *provider;

  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL && self->address == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_detector_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (!pf_address_split (address, NULL, &domain))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               _("“%s” is not an e-mail address."), address);
      return;
    }

  self->address = g_strdup (address);
  self->domain = g_steal_pointer (&domain);
  self->started_us = g_get_monotonic_time ();
  self->task = g_steal_pointer (&task);
  self->cancellable = g_cancellable_new ();
  if (self->resolver == NULL)
    self->resolver = g_resolver_get_default ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                      self, NULL);
    }
  self->bound_source = g_timeout_add (self->timeout * 1000, on_bound_reached, self);

  /* Hold the run open while the first lookups start, so nothing finishes
   * it half way. */
  pf_detector_hold (self);
  provider = pf_provider_lookup_domain (self->domain);
  if (provider != NULL)
    pf_detector_apply_provider (self, provider, FALSE);
  /* Known offline: nothing to probe, and the answer comes at once. */
  if (provider == NULL || pf_provider_get_pop3 (provider) != PF_PROVIDER_POP3_NO)
    pf_detector_start_lookups (self, self->domain, FALSE);
  pf_detector_release (self);
}

GPtrArray *
pf_detector_run_finish (PfDetector    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_detector_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Object ------------------------------------------------------------- */

static void
pf_detector_dispose (GObject *object)
{
  PfDetector *self = PF_DETECTOR (object);

  clear_run (self);
  G_OBJECT_CLASS (pf_detector_parent_class)->dispose (object);
}

static void
pf_detector_finalize (GObject *object)
{
  PfDetector *self = PF_DETECTOR (object);

  g_clear_object (&self->resolver);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  g_free (self->ispdb_base);
  g_clear_object (&self->tls_database);
  g_ptr_array_unref (self->pins);
  g_clear_object (&self->cancellable);
  g_free (self->address);
  g_free (self->domain);
  g_free (self->mx_domain);
  g_ptr_array_unref (self->probes);
  g_ptr_array_unref (self->lookups);
  g_hash_table_unref (self->hosts);
  g_clear_object (&self->recommended);
  g_clear_pointer (&self->provider, pf_provider_unref);
  G_OBJECT_CLASS (pf_detector_parent_class)->finalize (object);
}

static void
pf_detector_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PfDetector *self = PF_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_RECOMMENDED:
      g_value_set_object (value, self->recommended);
      break;
    case PROP_PROVIDER:
      g_value_set_boxed (value, self->provider);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_detector_class_init (PfDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pf_detector_dispose;
  object_class->finalize = pf_detector_finalize;
  object_class->get_property = pf_detector_get_property;

  properties[PROP_RECOMMENDED] =
    g_param_spec_object ("recommended", NULL, NULL, PF_TYPE_PROBE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] =
    g_param_spec_boxed ("provider", NULL, NULL, PF_TYPE_PROVIDER,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_OBJECT);
}

static void
pf_detector_init (PfDetector *self)
{
  self->ispdb_base = g_strdup (PF_DETECTOR_DEFAULT_ISPDB);
  self->probe_timeout = 8;
  self->timeout = 20;
  self->pins = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->pins, NULL);
  self->probes = g_ptr_array_new_with_free_func (g_object_unref);
  self->lookups = g_ptr_array_new_with_free_func (g_object_unref);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pf_detector_host_free);
}

PfDetector *
pf_detector_new (void)
{
  return g_object_new (PF_TYPE_DETECTOR, NULL);
}

void
pf_detector_set_resolver (PfDetector *self,
                          GResolver  *resolver)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

void
pf_detector_set_port_map (PfDetector *self,
                          PfPortMap  *map)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  if (map != NULL)
    pf_port_map_ref (map);
  g_clear_pointer (&self->port_map, pf_port_map_unref);
  self->port_map = map;
}

void
pf_detector_set_ispdb_base (PfDetector *self,
                            const char *https_base)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  g_free (self->ispdb_base);
  self->ispdb_base = g_strdup (https_base);
}

void
pf_detector_set_tls_database (PfDetector   *self,
                              GTlsDatabase *database)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

void
pf_detector_set_probe_timeout (PfDetector *self,
                               guint       seconds)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  self->probe_timeout = seconds;
}

void
pf_detector_set_timeout (PfDetector *self,
                         guint       seconds)
{
  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

void
pf_detector_set_allow_plaintext (PfDetector *self,
                                 gboolean    allow)
{
  g_return_if_fail (PF_IS_DETECTOR (self));

  self->allow_plaintext = !!allow;
}

void
pf_detector_add_pinned_fingerprint (PfDetector *self,
                                    const char *sha256_hex)
{
  g_autofree char *pin = pf_sha256_fingerprint_normalize (sha256_hex);

  g_return_if_fail (PF_IS_DETECTOR (self));
  g_return_if_fail (pin != NULL);

  g_ptr_array_insert (self->pins, self->pins->len - 1, g_steal_pointer (&pin));
}

PfProbe *
pf_detector_get_recommended (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->recommended;
}

GPtrArray *
pf_detector_get_probes (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->probes;
}

GPtrArray *
pf_detector_get_lookups (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->lookups;
}

const char *
pf_detector_get_address (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->address;
}

guint
pf_detector_get_recommended_ms (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), 0);
  return self->recommended_ms;
}

guint
pf_detector_get_elapsed_ms (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), 0);
  return self->elapsed_ms;
}

PfProvider *
pf_detector_get_provider (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);
  return self->provider;
}

gboolean
pf_detector_get_provider_via_mx (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), FALSE);
  return self->provider_via_mx;
}

GError *
pf_detector_dup_no_pop3_error (PfDetector *self)
{
  g_return_val_if_fail (PF_IS_DETECTOR (self), NULL);

  if (self->provider == NULL || pf_provider_get_pop3 (self->provider) != PF_PROVIDER_POP3_NO)
    return NULL;
  return no_pop3_error (self->provider);
}
