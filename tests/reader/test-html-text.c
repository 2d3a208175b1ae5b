/* test-html-text.c — HTML messages as text: nothing runs, nothing loads
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-html-text.h"

static void
assert_text (const char *html,
             const char *want)
{
  g_autofree char *got = pf_html_to_text (html);

  g_assert_cmpstr (got, ==, want);
}

static void
test_scripts_dropped (void)
{
  assert_text ("<p>Hello</p><script>alert('x<p>y</p>')</script><p>World</p>", "Hello\nWorld");
  assert_text ("<SCRIPT type=\"text/javascript\">document.write(1)</SCRIPT>Hi", "Hi");
  assert_text ("<style>p { color: red }</style><p>Text</p>", "Text");
  assert_text ("<html><head><title>T</title><meta http-equiv=refresh content=\"0;url=http://x\"></head>"
               "<body>Body</body></html>", "Body");
  assert_text ("a<!-- <script>x</script> -->b", "ab");
  assert_text ("<iframe src=\"https://evil.example/\">inner</iframe>after", "after");
  /* An unclosed script swallows the rest rather than showing code. */
  assert_text ("before<script>var a = 1;", "before");
}

static void
test_remote_content_dropped (void)
{
  g_autofree char *got = pf_html_to_text ("<p>See <img src=\"https://tracker.example/p.gif\" alt=\"x\">"
                                          "<a href=\"https://phish.example/\">our site</a></p>"
                                          "<div style=\"background:url(https://bg.example/a.png)\">x</div>");

  g_assert_null (strstr (got, "tracker.example"));
  g_assert_null (strstr (got, "phish.example"));
  g_assert_null (strstr (got, "bg.example"));
  g_assert_null (strstr (got, "http"));
  g_assert_cmpstr (got, ==, "See our site\nx");
  /* A '>' inside a quoted attribute does not end the tag early. */
  assert_text ("<img alt=\"a>b\" src=\"http://x/\">ok", "ok");
}

static void
test_entities (void)
{
  assert_text ("Fish &amp; Chips &lt;3 &gt; &quot;q&quot; &apos;a&apos;", "Fish & Chips <3 > \"q\" 'a'");
  assert_text ("Gr&uuml;&szlig;e aus K&ouml;ln", "Grüße aus Köln");
  assert_text ("&#72;&#x69;&#X21; &euro;5", "Hi! €5");
  assert_text ("a&nbsp;b", "a b");
  /* Unknown, broken or dangerous ones are left as written. */
  assert_text ("&bogus; &#0; &#x110000; & alone", "&bogus; &#0; &#x110000; & alone");
  /* A control character written as an entity does not get through. */
  assert_text ("x&#27;[31my", "x[31my");
}

static void
test_layout (void)
{
  assert_text ("<p>One</p>\n\n   <p>Two   words</p>", "One\nTwo words");
  assert_text ("line<br>break<br/>again", "line\nbreak\nagain");
  assert_text ("<ul><li>a</li><li>b</li></ul>", "• a\n• b");
  assert_text ("<pre>  keep\n  this</pre>", "  keep\n  this");
  assert_text ("<table><tr><td>a</td><td>b</td></tr></table>", "a b");
  assert_text ("", "");
  /* Invalid UTF-8 comes out valid. */
  {
    g_autofree char *got = pf_html_to_text ("ok \xff\xfe end");

    g_assert_true (g_utf8_validate (got, -1, NULL));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader/html-text/scripts-dropped", test_scripts_dropped);
  g_test_add_func ("/reader/html-text/remote-content-dropped", test_remote_content_dropped);
  g_test_add_func ("/reader/html-text/entities", test_entities);
  g_test_add_func ("/reader/html-text/layout", test_layout);

  return g_test_run ();
}
