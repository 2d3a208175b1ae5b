#!/usr/bin/env python3
# generate-maildir.py — a Maildir for the reading benchmark
#
# Copyright 2026 The Popfetch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# generate-maildir.py DIR [COUNT]  (COUNT defaults to 100000)
#
# Deterministic (seeded): mixed sizes (most a few KiB, some 20-200 KiB),
# 10 % with a base64 attachment, one in three a reply in a thread
# (In-Reply-To and References), dates spread over three years, a quarter
# of them read (cur/ with :2,S), HTML-only bodies for 10 %.

import base64
import os
import random
import sys
import time

WORDS = ("meeting budget report invoice travel lunch project deadline review draft "
         "schedule release server backup holiday weather garden concert train ticket "
         "museum recipe football library kitchen window bicycle mountain river forest "
         "question answer update summary proposal contract payment delivery order "
         "customer feedback design prototype testing migration database network").split()
NAMES = ("Anna Berg", "Bob Stone", "Carol White", "Dan Miller", "Eva Novak", "Frank Li",
         "Grace Kim", "Hugo Petit", "Ines Garcia", "Jürgen Müller", "Kofi Mensah", "Lena Roth")


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main():
    root = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    rng = random.Random(16)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    start = 1700000000
    span = 3 * 365 * 24 * 3600
    ids = []
    blob = base64.encodebytes(bytes(rng.getrandbits(8) for _ in range(48 * 1024))).decode()
    for i in range(count):
        t = start + (span * i) // count
        name = NAMES[rng.randrange(len(NAMES))]
        addr = name.split()[0].lower().replace("ü", "ue") + "@example.org"
        subject = words(rng, rng.randint(2, 6)).capitalize()
        mid = f"<m{i}@bench.example>"
        headers = [f"From: {name} <{addr}>", "To: Team <team@example.org>",
                   f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(t))}",
                   f"Message-ID: {mid}", "MIME-Version: 1.0"]
        if ids and rng.random() < 0.33:
            parent = ids[rng.randrange(max(0, len(ids) - 50), len(ids))]
            headers.append(f"In-Reply-To: {parent}")
            headers.append(f"References: {parent}")
            subject = "Re: " + subject
        headers.append("Subject: " + subject)
        size_class = rng.random()
        n_words = rng.randint(40, 400) if size_class < 0.9 else rng.randint(3000, 30000)
        text = "\n".join(words(rng, 12) for _ in range(n_words // 12 + 1))
        html = rng.random() < 0.1
        attach = rng.random() < 0.1
        if attach:
            body_type = "text/html" if html else "text/plain"
            body = "\n".join(headers + [
                'Content-Type: multipart/mixed; boundary="b1"', "", "--b1",
                f"Content-Type: {body_type}; charset=utf-8", "",
                f"<p>{text}</p>" if html else text, "--b1",
                'Content-Type: application/pdf; name="report.pdf"',
                'Content-Disposition: attachment; filename="report.pdf"',
                "Content-Transfer-Encoding: base64", "",
                blob[: rng.randint(1000, len(blob))], "--b1--", ""])
        else:
            ctype = "text/html; charset=utf-8" if html else "text/plain; charset=utf-8"
            body = "\n".join(headers + [f"Content-Type: {ctype}", "",
                                        f"<html><body><p>{text}</p></body></html>" if html else text, ""])
        data = body.encode()
        base = f"{t}.M{i}P1Q1.bench,S={len(data)}"
        if rng.random() < 0.25:
            path = os.path.join(root, "cur", base + ":2,S")
        else:
            path = os.path.join(root, "new", base)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (t, t))
        ids.append(mid)


if __name__ == "__main__":
    main()
