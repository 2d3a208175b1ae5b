#!/usr/bin/env python3
# test-completion.py — popfetch-cli's bash completion, sourced in bash: a
# command, an option, a saved account name, a value (TAP).
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-completion.py POPFETCH-CLI COMPLETION-SCRIPT

import os
import subprocess
import sys
import tempfile

program, script = sys.argv[1], sys.argv[2]

CASES = [
    # (name, words, expected in COMPREPLY, not expected)
    ("a command", ["fe"], ["fetch"], ["list"]),
    ("the commands", [""], ["detect", "schedule", "set-password"], []),
    ("an option of fetch", ["fetch", "--jo"], ["--jobs"], []),
    ("options of fetch, from its --help", ["fetch", "--"], ["--notify", "--maildir", "--quiet"], ["--help"]),
    ("an option of schedule", ["schedule", "--int"], ["--interval"], []),
    ("a saved account name", ["fetch", "wo"], ["work"], ["home\\ box"]),
    ("a name with a space", ["show", "ho"], ["home\\ box"], ["work"]),
    ("a second account name", ["fetch", "work", ""], ["work", "home\\ box"], []),
    ("the values of --security", ["fetch", "--security", "st"], ["starttls"], ["tls"]),
    ("the actions of schedule", ["schedule", ""], ["enable", "disable", "status"], []),
    ("the sign-in command", ["sig"], ["sign-in"], []),
    ("an account name for sign-in", ["sign-in", "wo"], ["work"], []),
    ("the OAuth2 options of add", ["add", "--oauth2-p"], ["--oauth2-provider"], []),
    ("the OAuth2 providers", ["add", "--oauth2-provider", "mi"], ["microsoft"], ["google"]),
    ("fetch --oauth2-token-file", ["fetch", "--oauth2-t"], ["--oauth2-token-file"], []),
]

with tempfile.TemporaryDirectory() as home:
    config = os.path.join(home, "config")
    os.makedirs(os.path.join(config, "popfetch"))
    with open(os.path.join(config, "popfetch", "accounts.ini"), "w") as f:
        f.write("[Account work]\nhost=pop.example.org\nuser=a\n\n"
                "[Account home box]\nhost=pop.example.net\nuser=b\n")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=config)

    print(f"1..{len(CASES)}")
    failed = 0
    for i, (name, words, wanted, unwanted) in enumerate(CASES, 1):
        line = " ".join(["popfetch-cli"] + words)
        shell = (f'source "$1"\n'
                 f'shift\n'
                 f'COMP_WORDS=("$@")\n'
                 f'COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n'
                 f'COMP_LINE={line!r}\n'
                 f'COMP_POINT=${{#COMP_LINE}}\n'
                 f'_popfetch_cli\n'
                 f'printf "%s\\n" "${{COMPREPLY[@]}}"\n')
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", shell, "bash", script,
                               program, *words],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        reply = [w for w in proc.stdout.split("\n") if w]
        ok = (proc.returncode == 0 and all(w in reply for w in wanted)
              and not any(w in reply for w in unwanted))
        if ok:
            print(f"ok {i} - completes {name}")
        else:
            failed += 1
            print(f"not ok {i} - completes {name} # {line!r} gave {reply} {proc.stderr.strip()}")
    sys.exit(1 if failed else 0)
