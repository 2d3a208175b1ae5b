/* pf-autoconfig.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-autoconfig.h"

void
pf_autoconfig_server_free (PfAutoconfigServer *server)
{
  if (server == NULL)
    return;
  g_free (server->hostname);
  g_free (server->username);
  g_free (server);
}

gboolean
pf_hostname_is_plausible (const char *name)
{
  gsize len;
  gsize label = 0;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > 253 || name[0] == '.' || name[len - 1] == '.')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (label == 0)
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
      if (++label > 63)
        return FALSE;
    }
  return TRUE;
}

gboolean
pf_address_split (const char  *address,
                  char       **local_part,
                  char       **domain)
{
  const char *at;
  g_autofree char *domain_lower = NULL;

  if (address == NULL)
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;

  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;

  domain_lower = g_ascii_strdown (at + 1, -1);
  if (!pf_hostname_is_plausible (domain_lower))
    return FALSE;

  if (local_part != NULL)
    *local_part = g_strndup (address, at - address);
  if (domain != NULL)
    *domain = g_steal_pointer (&domain_lower);
  return TRUE;
}

char *
pf_autoconfig_expand (const char *text,
                      const char *address)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  if (address == NULL || !pf_address_split (address, &local, &domain))
    {
      local = g_strdup ("");
      domain = g_strdup ("");
    }

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0';)
    {
      if (g_str_has_prefix (p, "%EMAILADDRESS%"))
        {
          g_string_append (out, address != NULL ? address : "");
          p += strlen ("%EMAILADDRESS%");
        }
      else if (g_str_has_prefix (p, "%EMAILLOCALPART%"))
        {
          g_string_append (out, local);
          p += strlen ("%EMAILLOCALPART%");
        }
      else if (g_str_has_prefix (p, "%EMAILDOMAIN%"))
        {
          g_string_append (out, domain);
          p += strlen ("%EMAILDOMAIN%");
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

char **
pf_autoconfig_urls (const char *address,
                    const char *ispdb_base)
{
  g_autofree char *domain = NULL;
  g_autofree char *escaped = NULL;
  GPtrArray *urls = g_ptr_array_new ();

  if (pf_address_split (address, NULL, &domain))
    {
      escaped = g_uri_escape_string (address, NULL, FALSE);
      g_ptr_array_add (urls, g_strdup_printf ("https://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                                              domain, escaped));
      g_ptr_array_add (urls, g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml",
                                              domain));
      if (ispdb_base != NULL && g_str_has_prefix (ispdb_base, "https://"))
        g_ptr_array_add (urls, g_strdup_printf ("%s%s%s", ispdb_base,
                                                g_str_has_suffix (ispdb_base, "/") ? "" : "/",
                                                domain));
    }
  g_ptr_array_add (urls, NULL);
  return (char **) g_ptr_array_free (urls, FALSE);
}

/* Parser state: the element path we are in and the entry being filled. */
typedef enum
{
  FIELD_NONE,
  FIELD_HOSTNAME,
  FIELD_PORT,
  FIELD_SOCKET_TYPE,
  FIELD_USERNAME,
  FIELD_AUTHENTICATION,
  FIELD_DISPLAY_NAME,
} Field;

typedef struct
{
  const char *address;
  GPtrArray  *servers;
  char       *display_name;
  guint       depth;
  gboolean    seen_root;
  gboolean    in_provider;
  gboolean    in_pop3_server;
  guint       server_depth;
  Field       field;
  GString    *text;
  /* The entry being read */
  char       *hostname;
  char       *port;
  char       *socket_type;
  char       *username;
  PfAutoconfigAuth auth;
} ParseState;

static void
clear_entry (ParseState *state)
{
  g_clear_pointer (&state->hostname, g_free);
  g_clear_pointer (&state->port, g_free);
  g_clear_pointer (&state->socket_type, g_free);
  g_clear_pointer (&state->username, g_free);
  state->auth = 0;
}

static PfAutoconfigAuth
auth_from_name (const char *name)
{
  if (g_ascii_strcasecmp (name, "password-cleartext") == 0 ||
      g_ascii_strcasecmp (name, "plain") == 0)
    return PF_AUTOCONFIG_AUTH_PASSWORD_CLEARTEXT;
  if (g_ascii_strcasecmp (name, "password-encrypted") == 0 ||
      g_ascii_strcasecmp (name, "secure") == 0)
    return PF_AUTOCONFIG_AUTH_PASSWORD_ENCRYPTED;
  if (g_ascii_strcasecmp (name, "OAuth2") == 0)
    return PF_AUTOCONFIG_AUTH_OAUTH2;
  return PF_AUTOCONFIG_AUTH_OTHER;
}

static gboolean
security_from_socket_type (const char *name,
                           PfSecurity *security)
{
  if (g_ascii_strcasecmp (name, "SSL") == 0 || g_ascii_strcasecmp (name, "TLS") == 0)
    *security = PF_SECURITY_TLS;
  else if (g_ascii_strcasecmp (name, "STARTTLS") == 0)
    *security = PF_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (name, "plain") == 0)
    *security = PF_SECURITY_NONE;
  else
    return FALSE;
  return TRUE;
}

static void
finish_entry (ParseState *state)
{
  g_autoptr(PfAutoconfigServer) server = g_new0 (PfAutoconfigServer, 1);
  g_autofree char *host = NULL;
  guint64 port = 0;

  if (state->hostname == NULL || state->port == NULL || state->socket_type == NULL)
    return;

  host = pf_autoconfig_expand (state->hostname, state->address);
  server->hostname = g_ascii_strdown (host, -1);
  if (!pf_hostname_is_plausible (server->hostname))
    return;

  if (!g_ascii_string_to_unsigned (state->port, 10, 1, G_MAXUINT16, &port, NULL))
    return;
  server->port = (guint16) port;

  if (!security_from_socket_type (state->socket_type, &server->security))
    return;

  if (state->username != NULL && *state->username != '\0')
    server->username = pf_autoconfig_expand (state->username, state->address);
  server->authentication = state->auth;
  g_ptr_array_add (state->servers, g_steal_pointer (&server));
}

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element_name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  ParseState *state = user_data;

  state->depth++;

  if (state->depth == 1)
    {
      if (g_strcmp0 (element_name, "clientConfig") != 0)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                       "The document is not a clientConfig but a <%s>", element_name);
          return;
        }
      state->seen_root = TRUE;
      return;
    }

  if (state->depth == 2 && g_strcmp0 (element_name, "emailProvider") == 0)
    {
      state->in_provider = TRUE;
      return;
    }

  if (!state->in_provider)
    return;

  if (state->depth == 3 && g_strcmp0 (element_name, "displayName") == 0)
    {
      state->field = FIELD_DISPLAY_NAME;
      g_string_truncate (state->text, 0);
      return;
    }

  if (state->depth == 3 && g_strcmp0 (element_name, "incomingServer") == 0)
    {
      for (guint i = 0; attribute_names[i] != NULL; i++)
        if (g_strcmp0 (attribute_names[i], "type") == 0 &&
            g_ascii_strcasecmp (attribute_values[i], "pop3") == 0)
          {
            state->in_pop3_server = TRUE;
            state->server_depth = state->depth;
            clear_entry (state);
          }
      return;
    }

  if (state->in_pop3_server && state->depth == state->server_depth + 1)
    {
      if (g_strcmp0 (element_name, "hostname") == 0)
        state->field = FIELD_HOSTNAME;
      else if (g_strcmp0 (element_name, "port") == 0)
        state->field = FIELD_PORT;
      else if (g_strcmp0 (element_name, "socketType") == 0)
        state->field = FIELD_SOCKET_TYPE;
      else if (g_strcmp0 (element_name, "username") == 0)
        state->field = FIELD_USERNAME;
      else if (g_strcmp0 (element_name, "authentication") == 0)
        state->field = FIELD_AUTHENTICATION;
      else
        state->field = FIELD_NONE;
      g_string_truncate (state->text, 0);
    }
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *element_name,
                gpointer              user_data,
                GError              **error)
{
  ParseState *state = user_data;
  g_autofree char *value = NULL;

  if (state->field != FIELD_NONE)
    {
      value = g_strstrip (g_strdup (state->text->str));
      switch (state->field)
        {
        case FIELD_HOSTNAME:
          g_free (state->hostname);
          state->hostname = g_steal_pointer (&value);
          break;
        case FIELD_PORT:
          g_free (state->port);
          state->port = g_steal_pointer (&value);
          break;
        case FIELD_SOCKET_TYPE:
          g_free (state->socket_type);
          state->socket_type = g_steal_pointer (&value);
          break;
        case FIELD_USERNAME:
          g_free (state->username);
          state->username = g_steal_pointer (&value);
          break;
        case FIELD_AUTHENTICATION:
          state->auth |= auth_from_name (value);
          break;
        case FIELD_DISPLAY_NAME:
          if (state->display_name == NULL && *value != '\0')
            state->display_name = g_steal_pointer (&value);
          break;
        case FIELD_NONE:
        default:
          break;
        }
      state->field = FIELD_NONE;
    }
  else if (state->in_pop3_server && state->depth == state->server_depth)
    {
      finish_entry (state);
      clear_entry (state);
      state->in_pop3_server = FALSE;
    }
  else if (state->in_provider && state->depth == 2)
    state->in_provider = FALSE;

  state->depth--;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  ParseState *state = user_data;

  /* Text of a field we read is tiny; a huge one is not a real config. */
  if (state->field != FIELD_NONE)
    {
      if (state->text->len + text_len > 1024)
        {
          g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                               "An autoconfig field is too long");
          return;
        }
      g_string_append_len (state->text, text, text_len);
    }
}

GPtrArray *
pf_autoconfig_parse (const char  *xml,
                     gssize       len,
                     const char  *address,
                     char       **display_name,
                     GError     **error)
{
  static const GMarkupParser parser = {
    on_start_element,
    on_end_element,
    on_text,
    NULL,
    NULL,
  };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_autoconfig_server_free);
  ParseState state = { 0 };
  gboolean ok;

  g_return_val_if_fail (xml != NULL, NULL);

  if (len < 0)
    len = strlen (xml);

  state.address = address;
  state.servers = servers;
  state.text = g_string_new (NULL);

  /* GMarkup does not process <?xml?> declarations or doctypes as markup,
   * it passes them to the passthrough handler (NULL here): fine. */
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &state, NULL);
  ok = g_markup_parse_context_parse (context, xml, len, error) &&
       g_markup_parse_context_end_parse (context, error);

  if (ok && !state.seen_root)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY,
                           "The document has no clientConfig element");
      ok = FALSE;
    }

  clear_entry (&state);
  g_string_free (state.text, TRUE);

  if (!ok)
    {
      g_free (state.display_name);
      return NULL;
    }

  if (display_name != NULL)
    *display_name = g_steal_pointer (&state.display_name);
  g_free (state.display_name);
  return g_steal_pointer (&servers);
}
