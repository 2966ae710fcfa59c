"""Hostile source text: markup, template syntax and links a page must show literally, never run or follow."""

XSS = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(2)>"
MUSTACHE = "{{ 7*7 }}"
JS_LINK = "javascript:alert(3)"
DATA_LINK = "data:text/html,<script>alert(4)</script>"
MD_LINK = "[cliquez](javascript:alert(5))"
