/* pf-probe.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-probe.h"

struct _PfProbe
{
  GObject          parent_instance;

  char            *host;
  guint16          port;
  PfSecurity       security;
  PfProbeSource    sources;
  guint            tier;
  guint            order;
  char            *username_hint;
  char            *connect_address;
  guint16          connect_port;
  char           **addresses;

  PfProbeState     state;
  PfProbeVerdict   verdict;
  GError          *error;
  guint            rank;
  gint64           started_us;
  guint            duration_ms;

  char            *greeting;
  PfCapabilities  *capabilities;
  gboolean         apop;
  PfAuthMechanism  best_mechanism;
  PfCertInfo      *cert_info;
  char            *tls_description;
  PfProbeImap      imap;
};

G_DEFINE_FINAL_TYPE (PfProbe, pf_probe, G_TYPE_OBJECT)

/* Ranking classes; lower ranks first. */
enum
{
  CLASS_TLS_VALID,
  CLASS_STARTTLS_VALID,
  CLASS_TLS_PINNED,
  CLASS_STARTTLS_PINNED,
  CLASS_PLAINTEXT,
  CLASS_UNUSABLE = 100,
};

/* Source tiers: the provider table's word beats everything (it names the
 * provider's own servers, whether the address or its MX led to it); what
 * the provider publishes beats what we guess; the address's own domain
 * beats the MX's. */
static guint
tier_for_sources (PfProbeSource sources)
{
  gboolean published = (sources & (PF_PROBE_SOURCE_AUTOCONFIG | PF_PROBE_SOURCE_ISPDB | PF_PROBE_SOURCE_SRV)) != 0;
  gboolean via_mx = (sources & PF_PROBE_SOURCE_VIA_MX) != 0;

  if (sources & PF_PROBE_SOURCE_PROVIDER)
    return 0;
  if (published)
    return via_mx ? 2 : 1;
  return via_mx ? 4 : 3;
}

char *
pf_probe_source_to_string (PfProbeSource sources)
{
  GPtrArray *names = g_ptr_array_new ();
  char *joined;

  if (sources & PF_PROBE_SOURCE_PROVIDER)
    g_ptr_array_add (names, (gpointer) "provider");
  if (sources & PF_PROBE_SOURCE_AUTOCONFIG)
    g_ptr_array_add (names, (gpointer) "autoconfig");
  if (sources & PF_PROBE_SOURCE_ISPDB)
    g_ptr_array_add (names, (gpointer) "ispdb");
  if (sources & PF_PROBE_SOURCE_SRV)
    g_ptr_array_add (names, (gpointer) "srv");
  if (sources & PF_PROBE_SOURCE_GUESS)
    g_ptr_array_add (names, (gpointer) "guess");
  if (sources & PF_PROBE_SOURCE_VIA_MX)
    g_ptr_array_add (names, (gpointer) "via-mx");
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (",", (char **) names->pdata);
  g_ptr_array_unref (names);
  return joined;
}

const char *
pf_probe_verdict_to_string (PfProbeVerdict verdict)
{
  switch (verdict)
    {
    case PF_PROBE_VERDICT_PENDING:
      return "pending";
    case PF_PROBE_VERDICT_SECURE:
      return "secure";
    case PF_PROBE_VERDICT_PINNED:
      return "pinned";
    case PF_PROBE_VERDICT_CERT_INVALID:
      return "cert-invalid";
    case PF_PROBE_VERDICT_PLAINTEXT:
      return "plaintext";
    case PF_PROBE_VERDICT_STLS_MISSING:
      return "stls-missing";
    case PF_PROBE_VERDICT_STLS_INJECTION:
      return "stls-injection";
    case PF_PROBE_VERDICT_FAILED:
      return "failed";
    case PF_PROBE_VERDICT_TLS_OUTDATED:
      return "tls-outdated";
    default:
      return "unknown";
    }
}

const char *
pf_probe_verdict_describe (PfProbeVerdict verdict)
{
  switch (verdict)
    {
    case PF_PROBE_VERDICT_PENDING:
      return _("probing");
    case PF_PROBE_VERDICT_SECURE:
      return _("secure");
    case PF_PROBE_VERDICT_PINNED:
      return _("pinned certificate");
    case PF_PROBE_VERDICT_CERT_INVALID:
      return _("certificate problem");
    case PF_PROBE_VERDICT_PLAINTEXT:
      return _("no encryption");
    case PF_PROBE_VERDICT_STLS_MISSING:
      return _("STLS missing");
    case PF_PROBE_VERDICT_STLS_INJECTION:
      return _("STLS attack");
    case PF_PROBE_VERDICT_TLS_OUTDATED:
      return _("outdated TLS");
    case PF_PROBE_VERDICT_FAILED:
    default:
      return _("failed");
    }
}

static void
pf_probe_finalize (GObject *object)
{
  PfProbe *self = PF_PROBE (object);

  g_free (self->host);
  g_free (self->username_hint);
  g_free (self->connect_address);
  g_strfreev (self->addresses);
  g_clear_error (&self->error);
  g_free (self->greeting);
  g_clear_pointer (&self->capabilities, pf_capabilities_free);
  g_clear_pointer (&self->cert_info, pf_cert_info_free);
  g_free (self->tls_description);
  G_OBJECT_CLASS (pf_probe_parent_class)->finalize (object);
}

static void
pf_probe_class_init (PfProbeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_probe_finalize;
}

static void
pf_probe_init (PfProbe *self)
{
  self->state = PF_PROBE_STATE_PENDING;
  self->verdict = PF_PROBE_VERDICT_PENDING;
  self->best_mechanism = PF_AUTH_AUTO;
  self->imap = PF_PROBE_IMAP_UNKNOWN;
}

PfProbe *
pf_probe_new (const char    *host,
              guint16        port,
              PfSecurity     security,
              PfProbeSource  sources,
              guint          order)
{
  PfProbe *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (PF_TYPE_PROBE, NULL);
  self->host = g_ascii_strdown (host, -1);
  self->port = port;
  self->security = security;
  self->sources = sources;
  self->tier = tier_for_sources (sources);
  self->order = order;
  return self;
}

#define GETTER(type, name, field, fallback) \
  type \
  pf_probe_get_##name (PfProbe *self) \
  { \
    g_return_val_if_fail (PF_IS_PROBE (self), fallback); \
    return self->field; \
  }

GETTER (const char *, host, host, NULL)
GETTER (guint16, port, port, 0)
GETTER (PfSecurity, security, security, PF_SECURITY_TLS)
GETTER (PfProbeSource, sources, sources, 0)
GETTER (guint, order, order, 0)
GETTER (const char *, connect_address, connect_address, NULL)
GETTER (guint16, connect_port, connect_port, 0)
GETTER (const char *, username_hint, username_hint, NULL)
GETTER (PfProbeState, state, state, PF_PROBE_STATE_PENDING)
GETTER (PfProbeVerdict, verdict, verdict, PF_PROBE_VERDICT_PENDING)
GETTER (const GError *, error, error, NULL)
GETTER (guint, rank, rank, 0)
GETTER (guint, duration_ms, duration_ms, 0)
GETTER (const char *, greeting, greeting, NULL)
GETTER (const PfCapabilities *, capabilities, capabilities, NULL)
GETTER (gboolean, apop, apop, FALSE)
GETTER (PfAuthMechanism, best_mechanism, best_mechanism, PF_AUTH_AUTO)
GETTER (const PfCertInfo *, cert_info, cert_info, NULL)
GETTER (const char *, tls_description, tls_description, NULL)
GETTER (PfProbeImap, imap, imap, PF_PROBE_IMAP_UNKNOWN)

#undef GETTER

static guint
rank_class (PfProbe  *self,
            gboolean  allow_plaintext)
{
  switch (self->verdict)
    {
    case PF_PROBE_VERDICT_SECURE:
      return self->security == PF_SECURITY_TLS ? CLASS_TLS_VALID : CLASS_STARTTLS_VALID;
    case PF_PROBE_VERDICT_PINNED:
      return self->security == PF_SECURITY_TLS ? CLASS_TLS_PINNED : CLASS_STARTTLS_PINNED;
    case PF_PROBE_VERDICT_PLAINTEXT:
      return allow_plaintext ? CLASS_PLAINTEXT : CLASS_UNUSABLE;
    case PF_PROBE_VERDICT_PENDING:
    case PF_PROBE_VERDICT_CERT_INVALID:
    case PF_PROBE_VERDICT_STLS_MISSING:
    case PF_PROBE_VERDICT_STLS_INJECTION:
    case PF_PROBE_VERDICT_TLS_OUTDATED:
    case PF_PROBE_VERDICT_FAILED:
    default:
      return CLASS_UNUSABLE;
    }
}

/* The best class a probe still running could reach. */
static guint
optimistic_class (PfProbe  *self,
                  gboolean  allow_plaintext)
{
  switch (self->security)
    {
    case PF_SECURITY_TLS:
      return CLASS_TLS_VALID;
    case PF_SECURITY_STARTTLS:
      return CLASS_STARTTLS_VALID;
    case PF_SECURITY_NONE:
    default:
      return allow_plaintext ? CLASS_PLAINTEXT : CLASS_UNUSABLE;
    }
}

static int
compare_keys (guint class_a, guint tier_a, int auth_a, guint order_a,
              guint class_b, guint tier_b, int auth_b, guint order_b)
{
  if (class_a != class_b)
    return class_a < class_b ? -1 : 1;
  if (class_a == CLASS_UNUSABLE)
    return order_a < order_b ? -1 : order_a > order_b ? 1 : 0;
  if (tier_a != tier_b)
    return tier_a < tier_b ? -1 : 1;
  if (auth_a != auth_b)
    return auth_a > auth_b ? -1 : 1;
  return order_a < order_b ? -1 : order_a > order_b ? 1 : 0;
}

/* OAuth never counts as strength here: it is never chosen automatically. */
static int
auth_strength (PfAuthMechanism mechanism)
{
  if (mechanism == PF_AUTH_XOAUTH2 || mechanism == PF_AUTH_OAUTHBEARER)
    return 0;
  return (int) mechanism;
}

int
pf_probe_compare_rank (PfProbe  *a,
                       PfProbe  *b,
                       gboolean  allow_plaintext)
{
  g_return_val_if_fail (PF_IS_PROBE (a) && PF_IS_PROBE (b), 0);

  return compare_keys (rank_class (a, allow_plaintext), a->tier, auth_strength (a->best_mechanism), a->order,
                       rank_class (b, allow_plaintext), b->tier, auth_strength (b->best_mechanism), b->order);
}

gboolean
pf_probe_is_usable (PfProbe  *self,
                    gboolean  allow_plaintext)
{
  g_return_val_if_fail (PF_IS_PROBE (self), FALSE);

  return rank_class (self, allow_plaintext) != CLASS_UNUSABLE;
}

gboolean
pf_probe_could_outrank (PfProbe  *pending,
                        PfProbe  *best,
                        gboolean  allow_plaintext)
{
  guint klass;

  g_return_val_if_fail (PF_IS_PROBE (pending) && PF_IS_PROBE (best), FALSE);

  if (pending->state == PF_PROBE_STATE_DONE)
    return FALSE;
  klass = optimistic_class (pending, allow_plaintext);
  if (klass == CLASS_UNUSABLE)
    return FALSE;
  return compare_keys (klass, pending->tier, G_MAXINT, pending->order,
                       rank_class (best, allow_plaintext), best->tier,
                       auth_strength (best->best_mechanism), best->order) < 0;
}

void
pf_probe_add_sources (PfProbe       *self,
                      PfProbeSource  sources)
{
  g_return_if_fail (PF_IS_PROBE (self));

  self->sources |= sources;
  self->tier = MIN (self->tier, tier_for_sources (sources));
}

void
pf_probe_set_username_hint (PfProbe    *self,
                            const char *user)
{
  g_return_if_fail (PF_IS_PROBE (self));

  if (self->username_hint == NULL && user != NULL)
    self->username_hint = g_strdup (user);
}

void
pf_probe_set_connect (PfProbe    *self,
                      const char *address,
                      guint16     port)
{
  g_return_if_fail (PF_IS_PROBE (self));

  g_free (self->connect_address);
  self->connect_address = g_strdup (address);
  self->connect_port = port;
}

void
pf_probe_set_running (PfProbe *self)
{
  g_return_if_fail (PF_IS_PROBE (self));

  self->state = PF_PROBE_STATE_RUNNING;
  self->started_us = g_get_monotonic_time ();
}

void
pf_probe_set_rank (PfProbe *self,
                   guint    rank)
{
  g_return_if_fail (PF_IS_PROBE (self));
  self->rank = rank;
}

void
pf_probe_set_imap (PfProbe     *self,
                   PfProbeImap  imap)
{
  g_return_if_fail (PF_IS_PROBE (self));
  self->imap = imap;
}

static void
mark_done (PfProbe *self)
{
  self->state = PF_PROBE_STATE_DONE;
  if (self->started_us != 0)
    self->duration_ms = (guint) ((g_get_monotonic_time () - self->started_us) / 1000);
}

void
pf_probe_fail (PfProbe      *self,
               const GError *error)
{
  g_return_if_fail (PF_IS_PROBE (self));
  g_return_if_fail (error != NULL);

  mark_done (self);
  self->verdict = PF_PROBE_VERDICT_FAILED;
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
}

static gboolean
is_certificate_error (const GError *error)
{
  return g_error_matches (error, PF_ERROR, PF_ERROR_CERT_UNTRUSTED) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_EXPIRED) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_HOST) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH);
}

void
pf_probe_complete (PfProbe            *self,
                   PfPop3Client       *client,
                   const GError       *error,
                   const char * const *pins)
{
  GTlsCertificate *certificate;

  g_return_if_fail (PF_IS_PROBE (self));
  g_return_if_fail (PF_IS_POP3_CLIENT (client));

  mark_done (self);
  g_clear_error (&self->error);

  certificate = pf_pop3_client_get_peer_certificate (client);
  if (certificate != NULL && self->security != PF_SECURITY_NONE)
    {
      g_clear_pointer (&self->cert_info, pf_cert_info_free);
      self->cert_info = pf_cert_info_new (certificate,
                                          pf_pop3_client_get_peer_certificate_errors (client),
                                          NULL);
    }

  if (error != NULL)
    {
      self->error = g_error_copy (error);
      if (is_certificate_error (error))
        {
          if (self->cert_info != NULL && pins != NULL &&
              g_strv_contains (pins, self->cert_info->sha256))
            self->verdict = PF_PROBE_VERDICT_PINNED;
          else
            self->verdict = PF_PROBE_VERDICT_CERT_INVALID;
        }
      else if (g_error_matches (error, PF_ERROR, PF_ERROR_STLS_UNAVAILABLE))
        self->verdict = PF_PROBE_VERDICT_STLS_MISSING;
      else if (g_error_matches (error, PF_ERROR, PF_ERROR_STLS_INJECTION))
        self->verdict = PF_PROBE_VERDICT_STLS_INJECTION;
      else if (g_error_matches (error, PF_ERROR, PF_ERROR_TLS_OUTDATED))
        self->verdict = PF_PROBE_VERDICT_TLS_OUTDATED;
      else
        self->verdict = PF_PROBE_VERDICT_FAILED;
      return;
    }

  /* The greeting of a STARTTLS session came before TLS: not shown. */
  if (self->security != PF_SECURITY_STARTTLS)
    self->greeting = g_strdup (pf_pop3_client_get_greeting (client));
  self->capabilities = pf_capabilities_copy (pf_pop3_client_get_capabilities (client));
  self->apop = pf_pop3_client_get_apop_timestamp (client) != NULL;
  self->tls_description = pf_pop3_client_dup_tls_description (client);
  self->best_mechanism = pf_sasl_choose ((const char * const *) self->capabilities->sasl,
                                         self->apop,
                                         self->capabilities->user || self->capabilities->sasl[0] == NULL,
                                         pf_pop3_client_get_tls_active (client),
                                         FALSE,
                                         TRUE);

  if (self->security == PF_SECURITY_NONE)
    self->verdict = PF_PROBE_VERDICT_PLAINTEXT;
  else if (self->cert_info != NULL && self->cert_info->errors != 0)
    self->verdict = PF_PROBE_VERDICT_PINNED;
  else
    self->verdict = PF_PROBE_VERDICT_SECURE;
}

const char * const *
pf_probe_get_addresses (PfProbe *self)
{
  g_return_val_if_fail (PF_IS_PROBE (self), NULL);
  return (const char * const *) self->addresses;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

void
pf_probe_set_addresses (PfProbe            *self,
                        const char * const *addresses)
{
  guint n;

  g_return_if_fail (PF_IS_PROBE (self));

  g_strfreev (self->addresses);
  self->addresses = g_strdupv ((char **) addresses);
  n = self->addresses != NULL ? g_strv_length (self->addresses) : 0;
  if (n > 1)
    qsort (self->addresses, n, sizeof (char *), compare_strings);
}
