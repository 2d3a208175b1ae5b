/* pf-sasl.c — authentication mechanisms, pure (no I/O)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <glib/gi18n.h>

#include "pf-credentials.h"
#include "pf-error.h"
#include "pf-pop3-parse.h"
#include "pf-sasl.h"
#include "pf-sasl-private.h"

/* PBKDF2 runs on the caller's thread: a server may not make us spin for
 * seconds (a million SHA-256 rounds take about a second). Real deployments
 * use 4096 to a few hundred thousand. Fewer than RFC 7677's 4096 make a
 * captured proof cheap to attack, which a forged server-first could ask
 * for on purpose. */
#define SCRAM_MIN_ITERATIONS 4096
#define SCRAM_MAX_ITERATIONS 1000000
/* 24 random bytes: 32 base64 characters, well above RFC 5802's advice. */
#define SCRAM_NONCE_BYTES 24
#define SCRAM_MAX_DIGEST 32

/* The nicks are the SASL names as the server's CAPA spells them (and the
 * accounts file stores them); "auto" for the strongest shared one. */
G_DEFINE_ENUM_TYPE (PfAuthMechanism, pf_auth_mechanism,
  G_DEFINE_ENUM_VALUE (PF_AUTH_AUTO, "auto"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_USER, "USER"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_PLAIN, "PLAIN"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_LOGIN, "LOGIN"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_APOP, "APOP"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_CRAM_MD5, "CRAM-MD5"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_SCRAM_SHA_1, "SCRAM-SHA-1"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_SCRAM_SHA_1_PLUS, "SCRAM-SHA-1-PLUS"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_SCRAM_SHA_256, "SCRAM-SHA-256"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_XOAUTH2, "XOAUTH2"),
  G_DEFINE_ENUM_VALUE (PF_AUTH_OAUTHBEARER, "OAUTHBEARER"))

gboolean
pf_auth_mechanism_is_plaintext (PfAuthMechanism mechanism)
{
  switch (mechanism)
    {
    case PF_AUTH_USER:
    case PF_AUTH_PLAIN:
    case PF_AUTH_LOGIN:
    case PF_AUTH_XOAUTH2:
    case PF_AUTH_OAUTHBEARER:
      return TRUE;
    case PF_AUTH_AUTO:
    case PF_AUTH_APOP:
    case PF_AUTH_CRAM_MD5:
    case PF_AUTH_SCRAM_SHA_1:
    case PF_AUTH_SCRAM_SHA_1_PLUS:
    case PF_AUTH_SCRAM_SHA_256:
    case PF_AUTH_SCRAM_SHA_256_PLUS:
    default:
      return FALSE;
    }
}

static gboolean
is_scram (PfAuthMechanism mechanism)
{
  return mechanism == PF_AUTH_SCRAM_SHA_1 || mechanism == PF_AUTH_SCRAM_SHA_1_PLUS ||
         mechanism == PF_AUTH_SCRAM_SHA_256 || mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;
}

static gboolean
is_scram_plus (PfAuthMechanism mechanism)
{
  return mechanism == PF_AUTH_SCRAM_SHA_1_PLUS || mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;
}

static gboolean
strv_has_ascii_case (const char * const *strv,
                     const char         *name)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_ascii_strcasecmp (strv[i], name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
pf_auth_mechanism_may_be_refused_for_itself (PfAuthMechanism mechanism)
{
  return is_scram_plus (mechanism) || mechanism == PF_AUTH_APOP || mechanism == PF_AUTH_CRAM_MD5;
}

PfAuthMechanism
pf_sasl_choose_for_token (const char * const *server_mechanisms)
{
  /* XOAUTH2 first: the providers that take OAuth2 over POP (Microsoft,
   * Google, Yahoo) all offer it, and not all of them OAUTHBEARER. */
  static const PfAuthMechanism order[] = { PF_AUTH_XOAUTH2, PF_AUTH_OAUTHBEARER };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *name = pf_auth_mechanism_to_string (order[i]);

      if (server_mechanisms != NULL && g_strv_contains (server_mechanisms, name))
        return order[i];
    }
  return PF_AUTH_AUTO;
}

PfAuthMechanism
pf_sasl_choose (const char * const *server_mechanisms,
                gboolean            apop_available,
                gboolean            user_available,
                gboolean            tls_active,
                gboolean            channel_binding,
                gboolean            allow_plaintext)
{
  /* Binding the TLS channel beats a stronger hash. */
  static const PfAuthMechanism order[] = {
    PF_AUTH_SCRAM_SHA_256_PLUS,
    PF_AUTH_SCRAM_SHA_1_PLUS,
    PF_AUTH_SCRAM_SHA_256,
    PF_AUTH_SCRAM_SHA_1,
    PF_AUTH_CRAM_MD5,
    PF_AUTH_APOP,
    PF_AUTH_PLAIN,
    PF_AUTH_LOGIN,
    PF_AUTH_USER,
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      PfAuthMechanism m = order[i];
      gboolean offered;

      if (is_scram_plus (m) && !channel_binding)
        continue;
      if (pf_auth_mechanism_is_plaintext (m) && !tls_active && !allow_plaintext)
        continue;
      /* Inside TLS they protect nothing more, and a server that offers
       * them may not be able to check them for this user. */
      if ((m == PF_AUTH_CRAM_MD5 || m == PF_AUTH_APOP) && tls_active)
        continue;

      if (m == PF_AUTH_APOP)
        offered = apop_available;
      else if (m == PF_AUTH_USER)
        offered = user_available;
      else
        offered = strv_has_ascii_case (server_mechanisms, pf_auth_mechanism_to_string (m));

      if (offered)
        return m;
    }

  return PF_AUTH_AUTO;
}

PfAuthMechanism
pf_sasl_choose_fallback (PfAuthMechanism     failed,
                         const char * const *server_mechanisms,
                         gboolean            user_available,
                         gboolean            tls_active,
                         gboolean            allow_plaintext)
{
  g_autoptr(GPtrArray) others = NULL;

  if (!pf_auth_mechanism_may_be_refused_for_itself (failed))
    return PF_AUTH_AUTO;

  /* CRAM-MD5 may fail for the same reason as APOP (no usable secret on
   * the server's side), so the fallback is never one of those two. */
  others = g_ptr_array_new ();
  for (guint i = 0; server_mechanisms != NULL && server_mechanisms[i] != NULL; i++)
    if (g_ascii_strcasecmp (server_mechanisms[i], "CRAM-MD5") != 0)
      g_ptr_array_add (others, (gpointer) server_mechanisms[i]);
  g_ptr_array_add (others, NULL);

  return pf_sasl_choose ((const char * const *) others->pdata, FALSE, user_available,
                         tls_active, FALSE, allow_plaintext);
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static gboolean
is_strict_base64 (const char *text)
{
  gsize len = strlen (text);
  gsize padding = 0;

  if (len % 4 != 0)
    return FALSE;
  if (len > 0 && text[len - 1] == '=')
    {
      padding++;
      if (text[len - 2] == '=')
        padding++;
    }
  for (gsize i = 0; i < len - padding; i++)
    if (base64_value (text[i]) < 0)
      return FALSE;
  return TRUE;
}

guint8 *
pf_sasl_decode_challenge (const char  *text,
                          gsize       *len,
                          GError     **error)
{
  guint8 *data;
  gsize out_len = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  if (!is_strict_base64 (text))
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_PROTOCOL,
                           _("The server’s login challenge is not valid base64"));
      return NULL;
    }
  if (*text == '\0')
    {
      *len = 0;
      return g_malloc0 (1);
    }
  data = g_base64_decode (text, &out_len);
  /* One byte more, so text challenges can be read as strings. */
  data = g_realloc (data, out_len + 1);
  data[out_len] = '\0';
  *len = out_len;
  return data;
}

/* ---- crypto helpers ---------------------------------------------------- */

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[i * 2] = digits[data[i] >> 4];
      hex[i * 2 + 1] = digits[data[i] & 0xf];
    }
  hex[len * 2] = '\0';
  return hex;
}

char *
pf_apop_digest (const char *timestamp,
                const char *secret)
{
  g_autofree char *input = NULL;
  guint8 digest[16];
  gboolean failed;

  g_return_val_if_fail (timestamp != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  input = g_strconcat (timestamp, secret, NULL);
  failed = gnutls_hash_fast (GNUTLS_DIG_MD5, input, strlen (input), digest) < 0;
  explicit_bzero (input, strlen (input));
  if (failed)
    return NULL;
  return hex_encode (digest, sizeof digest);
}

/* ---- the exchange ------------------------------------------------------ */

typedef enum
{
  SCRAM_START,
  SCRAM_SENT_FIRST,
  SCRAM_SENT_FINAL,
  SCRAM_VERIFIED,
  SCRAM_DONE,
} ScramState;

struct _PfSasl
{
  PfAuthMechanism  mechanism;
  char            *user;
  char            *secret;
  char            *cb_type;
  GBytes          *cb_data;
  guint            steps;
  gboolean         complete;

  /* SCRAM */
  ScramState       scram_state;
  guint            max_iterations;
  char            *client_nonce;
  char            *client_first_bare;
  char            *gs2_header;
  guint8           server_signature[SCRAM_MAX_DIGEST];
};

void
pf_sasl_free (PfSasl *sasl)
{
  if (sasl == NULL)
    return;
  if (sasl->secret != NULL)
    {
      explicit_bzero (sasl->secret, strlen (sasl->secret));
      g_free (sasl->secret);
    }
  g_free (sasl->user);
  g_free (sasl->cb_type);
  g_clear_pointer (&sasl->cb_data, g_bytes_unref);
  g_free (sasl->client_nonce);
  g_free (sasl->client_first_bare);
  g_free (sasl->gs2_header);
  memset (sasl->server_signature, 0, sizeof sasl->server_signature);
  g_free (sasl);
}

const char *
pf_sasl_get_name (PfSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, NULL);

  return pf_auth_mechanism_to_string (sasl->mechanism);
}

gboolean
pf_sasl_is_complete (PfSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, FALSE);

  return sasl->complete;
}

void
pf_sasl_set_client_nonce (PfSasl     *sasl,
                          const char *nonce)
{
  g_return_if_fail (sasl != NULL);
  g_return_if_fail (nonce != NULL && *nonce != '\0' && strchr (nonce, ',') == NULL);
  g_return_if_fail (sasl->steps == 0);

  g_free (sasl->client_nonce);
  sasl->client_nonce = g_strdup (nonce);
}

void
pf_sasl_set_max_iterations (PfSasl *sasl,
                            guint   max_iterations)
{
  g_return_if_fail (sasl != NULL);
  g_return_if_fail (max_iterations > 0 && max_iterations <= SCRAM_MAX_ITERATIONS);

  sasl->max_iterations = max_iterations;
}

static gboolean
invalid_input (GError    **error,
               const char *message)
{
  g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT, message);
  return FALSE;
}

static gboolean
has_line_break (const char *s)
{
  return strpbrk (s, "\r\n") != NULL;
}

/* RFC 5802 saslname: ',' and '=' are written "=2C" and "=3D". */
static char *
scram_escape_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append (out, "=2C");
      else if (*p == '=')
        g_string_append (out, "=3D");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ---- SASLprep (RFC 4013) ----------------------------------------------- */

typedef struct { gunichar first; gunichar last; } Range;

static gboolean
in_ranges (gunichar     c,
           const Range *ranges,
           gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (c >= ranges[i].first && c <= ranges[i].last)
      return TRUE;
  return FALSE;
}

/* RFC 3454 B.1: commonly mapped to nothing. */
static const Range mapped_to_nothing[] = {
  { 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x1806, 0x1806 }, { 0x180B, 0x180D },
  { 0x200B, 0x200D }, { 0x2060, 0x2060 }, { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF },
};

/* RFC 3454 C.1.2: non-ASCII space characters. */
static const Range non_ascii_space[] = {
  { 0x00A0, 0x00A0 }, { 0x1680, 0x1680 }, { 0x2000, 0x200B }, { 0x202F, 0x202F },
  { 0x205F, 0x205F }, { 0x3000, 0x3000 },
};

/* RFC 3454 C.1.2, C.2.1, C.2.2, C.3, C.5, C.6, C.7, C.8, C.9 (C.4 below). */
static const Range prohibited[] = {
  { 0x0000, 0x001F }, { 0x007F, 0x009F }, { 0x00A0, 0x00A0 }, { 0x0340, 0x0341 },
  { 0x06DD, 0x06DD }, { 0x070F, 0x070F }, { 0x1680, 0x1680 }, { 0x180E, 0x180E },
  { 0x2000, 0x200F }, { 0x2028, 0x202F }, { 0x205F, 0x2063 }, { 0x206A, 0x206F },
  { 0x2FF0, 0x2FFB }, { 0x3000, 0x3000 }, { 0xD800, 0xF8FF }, { 0xFDD0, 0xFDEF },
  { 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFD }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 },
  { 0xE0020, 0xE007F }, { 0xF0000, 0x10FFFF },
};

/* Blocks of right-to-left scripts. RFC 3454 §6 needs exact bidi classes,
 * which GLib does not expose: rather than guess, such strings are refused. */
static const Range right_to_left[] = {
  { 0x0590, 0x08FF }, { 0xFB1D, 0xFDFF }, { 0xFE70, 0xFEFE }, { 0x10800, 0x10FFF },
  { 0x1E800, 0x1EFFF },
};

static gboolean
is_ascii (const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}

char *
pf_saslprep (const char  *input,
             GError     **error)
{
  g_autoptr(PfWipedString) mapped = NULL;
  g_autoptr(PfWipedString) normalized = NULL;
  gsize len = 0;

  g_return_val_if_fail (input != NULL, NULL);

  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT, _("it is not valid UTF-8 text"));
      return NULL;
    }

  /* Mapping only drops characters or puts a one-byte space for a longer
   * one: the result fits the input's size, so the buffer never grows (a
   * grown buffer leaves the part copied so far in the block it frees). */
  mapped = g_malloc0 (strlen (input) + 1);
  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (in_ranges (c, mapped_to_nothing, G_N_ELEMENTS (mapped_to_nothing)))
        continue;
      if (in_ranges (c, non_ascii_space, G_N_ELEMENTS (non_ascii_space)))
        c = ' ';
      len += g_unichar_to_utf8 (c, mapped + len);
    }

  /* NFKC leaves ASCII as it is; for other text GLib's normaliser works in
   * buffers of its own, which it frees unwiped. */
  if (is_ascii (mapped, len))
    normalized = g_strndup (mapped, len);
  else
    normalized = g_utf8_normalize (mapped, len, G_NORMALIZE_NFKC);
  if (normalized == NULL)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT, _("it is not valid UTF-8 text"));
      return NULL;
    }

  for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (in_ranges (c, prohibited, G_N_ELEMENTS (prohibited)) ||
          (c & 0xFFFE) == 0xFFFE ||
          g_unichar_type (c) == G_UNICODE_UNASSIGNED)
        {
          g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               _("it contains a control or otherwise prohibited character"));
          return NULL;
        }
      if (in_ranges (c, right_to_left, G_N_ELEMENTS (right_to_left)))
        {
          g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               _("right-to-left characters are not supported"));
          return NULL;
        }
    }

  return g_steal_pointer (&normalized);
}

static gboolean
check_input (PfAuthMechanism   mechanism,
             const char       *user,
             const char       *secret,
             GBytes           *channel_binding,
             char            **prepared_secret,
             GError          **error)
{
  if (mechanism == PF_AUTH_AUTO || mechanism == PF_AUTH_USER || mechanism == PF_AUTH_APOP)
    return invalid_input (error, _("This sign-in method is not a SASL mechanism"));
  if (user == NULL || secret == NULL)
    return invalid_input (error, _("A user name and a password are needed to sign in"));
  if (has_line_break (user) || has_line_break (secret))
    return invalid_input (error, _("The user name or password contains a line break"));
  if (!g_utf8_validate (user, -1, NULL))
    return invalid_input (error, _("The user name is not valid UTF-8 text"));
  if ((mechanism == PF_AUTH_XOAUTH2 || mechanism == PF_AUTH_OAUTHBEARER) &&
      (strchr (user, '\x01') != NULL || strchr (secret, '\x01') != NULL))
    return invalid_input (error, _("The user name or access token contains a control character"));
  if (is_scram_plus (mechanism) && channel_binding == NULL)
    return invalid_input (error, _("SCRAM with channel binding needs a TLS connection"));

  if (is_scram (mechanism))
    {
      g_autoptr(GError) prep_error = NULL;
      g_autofree char *user_prepared = pf_saslprep (user, &prep_error);

      if (user_prepared == NULL)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("The user name cannot be used with SCRAM: %s"), prep_error->message);
          return FALSE;
        }
      *prepared_secret = pf_saslprep (secret, &prep_error);
      if (*prepared_secret == NULL)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("The password cannot be used with SCRAM: %s"), prep_error->message);
          return FALSE;
        }
      /* PBKDF2 takes no empty key; nor would any server. */
      if ((*prepared_secret)[0] == '\0')
        {
          g_clear_pointer (prepared_secret, g_free);
          return invalid_input (error, _("The password is empty"));
        }
    }
  else
    *prepared_secret = g_strdup (secret);

  return TRUE;
}

PfSasl *
pf_sasl_new_full (PfAuthMechanism   mechanism,
                  const char       *user,
                  const char       *secret,
                  const char       *channel_binding_type,
                  GBytes           *channel_binding,
                  GError          **error)
{
  PfSasl *sasl;
  char *prepared_secret = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (channel_binding_type == NULL ||
                        strcmp (channel_binding_type, "tls-exporter") == 0 ||
                        strcmp (channel_binding_type, "tls-server-end-point") == 0 ||
                        strcmp (channel_binding_type, "tls-unique") == 0, NULL);

  if (!check_input (mechanism, user, secret, channel_binding, &prepared_secret, error))
    return NULL;

  sasl = g_new0 (PfSasl, 1);
  sasl->mechanism = mechanism;
  sasl->user = g_strdup (user);
  sasl->secret = prepared_secret;
  sasl->cb_type = g_strdup (channel_binding_type != NULL ? channel_binding_type : "tls-exporter");
  sasl->cb_data = channel_binding != NULL ? g_bytes_ref (channel_binding) : NULL;
  sasl->max_iterations = SCRAM_MAX_ITERATIONS;
  return sasl;
}

PfSasl *
pf_sasl_new (PfAuthMechanism   mechanism,
             const char       *user,
             const char       *secret,
             GBytes           *channel_binding,
             GError          **error)
{
  return pf_sasl_new_full (mechanism, user, secret, NULL, channel_binding, error);
}

static GBytes *
bytes_from_string (char *s)
{
  gsize len = strlen (s);

  return g_bytes_new_take (s, len);
}

static gboolean
protocol_error (GError    **error,
                const char *message)
{
  g_set_error_literal (error, PF_ERROR, PF_ERROR_PROTOCOL, message);
  return FALSE;
}

static gboolean
unexpected_challenge (PfSasl  *sasl,
                      GError **error)
{
  g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
               _("The server asked for more than %s needs"), pf_sasl_get_name (sasl));
  return FALSE;
}

/* ---- PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER ---------------------- */

static gboolean
step_plain (PfSasl        *sasl,
            const guint8  *challenge,
            GBytes       **response,
            GError       **error)
{
  GByteArray *out;

  if (sasl->steps > 0)
    return unexpected_challenge (sasl, error);

  /* RFC 4616: authzid NUL authcid NUL passwd, with an empty authzid. */
  out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) "", 1);
  g_byte_array_append (out, (const guint8 *) sasl->user, strlen (sasl->user) + 1);
  g_byte_array_append (out, (const guint8 *) sasl->secret, strlen (sasl->secret));
  *response = g_byte_array_free_to_bytes (out);
  sasl->complete = TRUE;
  return TRUE;
}

static gboolean
step_login (PfSasl        *sasl,
            const guint8  *challenge,
            GBytes       **response,
            GError       **error)
{
  /* Prompts vary ("Username:", "User Name", nothing); the order does not. */
  switch (sasl->steps)
    {
    case 0:
      *response = g_bytes_new (NULL, 0);
      return TRUE;
    case 1:
      *response = g_bytes_new (sasl->user, strlen (sasl->user));
      return TRUE;
    case 2:
      *response = g_bytes_new (sasl->secret, strlen (sasl->secret));
      sasl->complete = TRUE;
      return TRUE;
    default:
      return unexpected_challenge (sasl, error);
    }
}

static gboolean
step_cram_md5 (PfSasl        *sasl,
               const guint8  *challenge,
               gsize          challenge_len,
               GBytes       **response,
               GError       **error)
{
  guint8 digest[16];
  g_autofree char *hex = NULL;

  switch (sasl->steps)
    {
    case 0:
      *response = g_bytes_new (NULL, 0);
      return TRUE;
    case 1:
      if (challenge == NULL || challenge_len == 0)
        return protocol_error (error, _("The server sent an empty CRAM-MD5 challenge"));
      if (gnutls_hmac_fast (GNUTLS_MAC_MD5, sasl->secret, strlen (sasl->secret),
                            challenge, challenge_len, digest) < 0)
        return protocol_error (error, _("CRAM-MD5 is not available in this system’s TLS library"));
      hex = hex_encode (digest, sizeof digest);
      *response = bytes_from_string (g_strconcat (sasl->user, " ", hex, NULL));
      sasl->complete = TRUE;
      return TRUE;
    default:
      return unexpected_challenge (sasl, error);
    }
}

static gboolean
step_oauth (PfSasl        *sasl,
            const guint8  *challenge,
            GBytes       **response,
            GError       **error)
{
  switch (sasl->steps)
    {
    case 0:
      if (sasl->mechanism == PF_AUTH_XOAUTH2)
        *response = bytes_from_string (g_strconcat ("user=", sasl->user,
                                                    "\001auth=Bearer ", sasl->secret,
                                                    "\001\001", NULL));
      else
        {
          /* RFC 7628 §3.1: GS2 header with the authzid, then key=value pairs. */
          g_autofree char *name = scram_escape_name (sasl->user);
          *response = bytes_from_string (g_strconcat ("n,a=", name, ",\001auth=Bearer ",
                                                      sasl->secret, "\001\001", NULL));
        }
      sasl->complete = TRUE;
      return TRUE;
    case 1:
      /* A challenge now is the server's JSON error; the protocol wants an
       * empty answer (XOAUTH2) or a lone %x01 (RFC 7628 §3.2.3) before the
       * final -ERR. The exchange has not succeeded. */
      sasl->complete = FALSE;
      if (sasl->mechanism == PF_AUTH_XOAUTH2)
        *response = g_bytes_new (NULL, 0);
      else
        *response = g_bytes_new ("\001", 1);
      return TRUE;
    default:
      return unexpected_challenge (sasl, error);
    }
}

/* ---- SCRAM (RFC 5802, RFC 7677) ---------------------------------------- */

static gnutls_mac_algorithm_t
scram_mac (PfSasl *sasl)
{
  if (sasl->mechanism == PF_AUTH_SCRAM_SHA_1 || sasl->mechanism == PF_AUTH_SCRAM_SHA_1_PLUS)
    return GNUTLS_MAC_SHA1;
  return GNUTLS_MAC_SHA256;
}

static gnutls_digest_algorithm_t
scram_digest (PfSasl *sasl)
{
  if (sasl->mechanism == PF_AUTH_SCRAM_SHA_1 || sasl->mechanism == PF_AUTH_SCRAM_SHA_1_PLUS)
    return GNUTLS_DIG_SHA1;
  return GNUTLS_DIG_SHA256;
}

static gsize
scram_digest_len (PfSasl *sasl)
{
  return gnutls_hash_get_len (scram_digest (sasl));
}

static gboolean
scram_make_nonce (PfSasl  *sasl,
                  GError **error)
{
  guint8 random[SCRAM_NONCE_BYTES];

  if (sasl->client_nonce != NULL)
    return TRUE;
  if (gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random) < 0)
    return protocol_error (error, _("No random numbers are available for SCRAM"));
  sasl->client_nonce = g_base64_encode (random, sizeof random);
  return TRUE;
}

static gboolean
scram_first (PfSasl   *sasl,
             GBytes  **response,
             GError  **error)
{
  g_autofree char *name = NULL;

  if (!scram_make_nonce (sasl, error))
    return FALSE;

  /* RFC 5802 §6: "p=" when binding, "y" when we could bind but the server
   * offered no -PLUS (a downgrade then shows), "n" when we cannot. */
  if (is_scram_plus (sasl->mechanism))
    sasl->gs2_header = g_strdup_printf ("p=%s,,", sasl->cb_type);
  else if (sasl->cb_data != NULL)
    sasl->gs2_header = g_strdup ("y,,");
  else
    sasl->gs2_header = g_strdup ("n,,");

  name = scram_escape_name (sasl->user);
  sasl->client_first_bare = g_strdup_printf ("n=%s,r=%s", name, sasl->client_nonce);
  *response = bytes_from_string (g_strconcat (sasl->gs2_header, sasl->client_first_bare, NULL));
  sasl->scram_state = SCRAM_SENT_FIRST;
  return TRUE;
}

/* Split "a=1,b=2" into attributes; every one must be "x=..." with x a letter. */
static char **
scram_split (const char *message)
{
  char **parts = g_strsplit (message, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (!g_ascii_isalpha (parts[i][0]) || parts[i][1] != '=')
      {
        g_strfreev (parts);
        return NULL;
      }
  return parts;
}

/* RFC 5802 printable: %x21-2B / %x2D-7E. */
static gboolean
scram_nonce_is_valid (const char *nonce)
{
  if (*nonce == '\0')
    return FALSE;
  for (const char *p = nonce; *p != '\0'; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7E || *p == ',')
      return FALSE;
  return TRUE;
}

static GBytes *
scram_channel_binding_input (PfSasl *sasl)
{
  GByteArray *input = g_byte_array_new ();

  g_byte_array_append (input, (const guint8 *) sasl->gs2_header, strlen (sasl->gs2_header));
  if (is_scram_plus (sasl->mechanism))
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (sasl->cb_data, &len);

      g_byte_array_append (input, data, len);
    }
  return g_byte_array_free_to_bytes (input);
}

static gboolean
scram_final (PfSasl        *sasl,
             const char    *server_first,
             GBytes       **response,
             GError       **error)
{
  g_auto(GStrv) attrs = NULL;
  g_autofree guchar *salt = NULL;
  g_autofree char *cb_b64 = NULL;
  g_autofree char *without_proof = NULL;
  g_autofree char *auth_message = NULL;
  g_autofree char *proof_b64 = NULL;
  g_autoptr(GBytes) cb_input = NULL;
  const char *nonce;
  gsize salt_len = 0;
  guint64 iterations = 0;
  gsize dlen = scram_digest_len (sasl);
  guint8 salted[SCRAM_MAX_DIGEST];
  guint8 client_key[SCRAM_MAX_DIGEST];
  guint8 stored_key[SCRAM_MAX_DIGEST];
  guint8 client_signature[SCRAM_MAX_DIGEST];
  guint8 server_key[SCRAM_MAX_DIGEST];
  guint8 proof[SCRAM_MAX_DIGEST];
  gnutls_datum_t key_datum;
  gnutls_datum_t salt_datum;
  int rc;

  attrs = scram_split (server_first);
  if (attrs == NULL || attrs[0] == NULL || attrs[1] == NULL || attrs[2] == NULL)
    return protocol_error (error, _("The server’s SCRAM challenge is malformed"));
  if (attrs[0][0] == 'm')
    return protocol_error (error, _("The server demands a SCRAM extension Popfetch does not know"));
  if (attrs[0][0] != 'r' || attrs[1][0] != 's' || attrs[2][0] != 'i')
    return protocol_error (error, _("The server’s SCRAM challenge is malformed"));

  nonce = attrs[0] + 2;
  if (!scram_nonce_is_valid (nonce) ||
      !g_str_has_prefix (nonce, sasl->client_nonce) ||
      strlen (nonce) == strlen (sasl->client_nonce))
    return protocol_error (error, _("The server’s SCRAM nonce does not continue ours"));

  if (attrs[1][2] != '\0')
    salt = pf_sasl_decode_challenge (attrs[1] + 2, &salt_len, NULL);
  if (salt == NULL || salt_len == 0)
    return protocol_error (error, _("The server’s SCRAM salt is missing or malformed"));

  {
    const char *p = attrs[2] + 2;

    if (!g_ascii_isdigit (*p))
      return protocol_error (error, _("The server’s SCRAM iteration count is malformed"));
    for (; g_ascii_isdigit (*p) && iterations <= sasl->max_iterations; p++)
      iterations = iterations * 10 + (guint64) (*p - '0');
    if (*p != '\0' && !g_ascii_isdigit (*p))
      return protocol_error (error, _("The server’s SCRAM iteration count is malformed"));
    if (iterations < SCRAM_MIN_ITERATIONS || iterations > sasl->max_iterations)
      {
        g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
                     _("The server’s SCRAM iteration count is outside the range Popfetch accepts, %u (the least RFC 7677 allows) to %u, so no proof of the password was sent"),
                     (guint) SCRAM_MIN_ITERATIONS, sasl->max_iterations);
        return FALSE;
      }
  }

  cb_input = scram_channel_binding_input (sasl);
  cb_b64 = g_base64_encode (g_bytes_get_data (cb_input, NULL), g_bytes_get_size (cb_input));
  without_proof = g_strdup_printf ("c=%s,r=%s", cb_b64, nonce);
  auth_message = g_strdup_printf ("%s,%s,%s", sasl->client_first_bare, server_first, without_proof);

  key_datum.data = (unsigned char *) sasl->secret;
  key_datum.size = strlen (sasl->secret);
  salt_datum.data = salt;
  salt_datum.size = salt_len;

  rc = gnutls_pbkdf2 (scram_mac (sasl), &key_datum, &salt_datum, (unsigned) iterations, salted, dlen);
  if (rc >= 0)
    rc = gnutls_hmac_fast (scram_mac (sasl), salted, dlen, "Client Key", 10, client_key);
  if (rc >= 0)
    rc = gnutls_hash_fast (scram_digest (sasl), client_key, dlen, stored_key);
  if (rc >= 0)
    rc = gnutls_hmac_fast (scram_mac (sasl), stored_key, dlen,
                           auth_message, strlen (auth_message), client_signature);
  if (rc >= 0)
    rc = gnutls_hmac_fast (scram_mac (sasl), salted, dlen, "Server Key", 10, server_key);
  if (rc >= 0)
    rc = gnutls_hmac_fast (scram_mac (sasl), server_key, dlen,
                           auth_message, strlen (auth_message), sasl->server_signature);
  if (rc < 0)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
                   _("SCRAM could not be computed: %s"), gnutls_strerror (rc));
      return FALSE;
    }

  for (gsize i = 0; i < dlen; i++)
    proof[i] = client_key[i] ^ client_signature[i];
  proof_b64 = g_base64_encode (proof, dlen);

  explicit_bzero (salted, sizeof salted);
  explicit_bzero (client_key, sizeof client_key);
  explicit_bzero (stored_key, sizeof stored_key);
  explicit_bzero (server_key, sizeof server_key);

  *response = bytes_from_string (g_strconcat (without_proof, ",p=", proof_b64, NULL));
  sasl->scram_state = SCRAM_SENT_FINAL;
  return TRUE;
}

static gboolean
scram_verify (PfSasl      *sasl,
              const char  *server_final,
              GBytes     **response,
              GError     **error)
{
  g_autofree guchar *signature = NULL;
  gsize signature_len = 0;
  guint8 diff = 0;

  if (g_str_has_prefix (server_final, "e="))
    {
      g_autofree char *reason = pf_pop3_sanitize_text (server_final + 2, -1);
      /* RFC 5802 §7: only these two are about the credentials; the others
       * (channel binding, encoding, extensions, resources) are the
       * method's failure, which a wrong password must not be said for. */
      gboolean credentials = g_str_equal (server_final + 2, "invalid-proof") ||
                             g_str_equal (server_final + 2, "unknown-user");

      g_set_error (error, PF_ERROR,
                   credentials ? PF_ERROR_AUTH_REJECTED : PF_ERROR_AUTH_MECHANISM_FAILED,
                   _("The server rejected the SCRAM exchange: %s"), reason);
      return FALSE;
    }
  if (!g_str_has_prefix (server_final, "v=") || server_final[2] == '\0' ||
      strchr (server_final, ',') != NULL)
    return protocol_error (error, _("The server’s SCRAM verifier is malformed"));

  signature = pf_sasl_decode_challenge (server_final + 2, &signature_len, NULL);
  if (signature == NULL)
    return protocol_error (error, _("The server’s SCRAM verifier is malformed"));
  if (signature_len != scram_digest_len (sasl))
    return protocol_error (error, _("The server could not prove that it knows your password; it may not be the server it claims to be"));
  for (gsize i = 0; i < signature_len; i++)
    diff |= signature[i] ^ sasl->server_signature[i];
  if (diff != 0)
    return protocol_error (error, _("The server could not prove that it knows your password; it may not be the server it claims to be"));

  *response = g_bytes_new (NULL, 0);
  sasl->scram_state = SCRAM_VERIFIED;
  sasl->complete = TRUE;
  return TRUE;
}

static gboolean
step_scram (PfSasl        *sasl,
            const guint8  *challenge,
            gsize          challenge_len,
            GBytes       **response,
            GError       **error)
{
  g_autofree char *text = NULL;

  if (sasl->scram_state == SCRAM_START)
    {
      if (challenge_len > 0)
        return unexpected_challenge (sasl, error);
      return scram_first (sasl, response, error);
    }

  if (challenge == NULL || challenge_len == 0 || memchr (challenge, '\0', challenge_len) != NULL)
    return protocol_error (error, _("The server’s SCRAM message is empty or malformed"));
  text = g_strndup ((const char *) challenge, challenge_len);
  if (!g_utf8_validate (text, -1, NULL))
    return protocol_error (error, _("The server’s SCRAM message is not valid UTF-8"));

  switch (sasl->scram_state)
    {
    case SCRAM_SENT_FIRST:
      return scram_final (sasl, text, response, error);
    case SCRAM_SENT_FINAL:
      return scram_verify (sasl, text, response, error);
    case SCRAM_START:
    case SCRAM_VERIFIED:
    case SCRAM_DONE:
    default:
      return unexpected_challenge (sasl, error);
    }
}

gboolean
pf_sasl_step (PfSasl         *sasl,
              const guint8   *challenge,
              gsize           challenge_len,
              GBytes        **response,
              GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (sasl != NULL, FALSE);
  g_return_val_if_fail (challenge != NULL || challenge_len == 0, FALSE);
  g_return_val_if_fail (response != NULL && *response == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (sasl->mechanism)
    {
    case PF_AUTH_PLAIN:
      ok = step_plain (sasl, challenge, response, error);
      break;
    case PF_AUTH_LOGIN:
      ok = step_login (sasl, challenge, response, error);
      break;
    case PF_AUTH_CRAM_MD5:
      ok = step_cram_md5 (sasl, challenge, challenge_len, response, error);
      break;
    case PF_AUTH_XOAUTH2:
    case PF_AUTH_OAUTHBEARER:
      ok = step_oauth (sasl, challenge, response, error);
      break;
    case PF_AUTH_SCRAM_SHA_1:
    case PF_AUTH_SCRAM_SHA_1_PLUS:
    case PF_AUTH_SCRAM_SHA_256:
    case PF_AUTH_SCRAM_SHA_256_PLUS:
      ok = step_scram (sasl, challenge, challenge_len, response, error);
      break;
    case PF_AUTH_AUTO:
    case PF_AUTH_USER:
    case PF_AUTH_APOP:
    default:
      g_return_val_if_reached (FALSE);
    }

  if (ok)
    sasl->steps++;
  else
    sasl->complete = FALSE;
  return ok;
}

const char *
pf_auth_mechanism_to_string (PfAuthMechanism mechanism)
{
  return pf_enum_to_nick (PF_TYPE_AUTH_MECHANISM, mechanism);
}

gboolean
pf_auth_mechanism_from_string (const char      *name,
                               PfAuthMechanism *mechanism)
{
  int value;

  if (!pf_enum_from_nick (PF_TYPE_AUTH_MECHANISM, name, &value))
    return FALSE;
  if (mechanism != NULL)
    *mechanism = (PfAuthMechanism) value;
  return TRUE;
}
