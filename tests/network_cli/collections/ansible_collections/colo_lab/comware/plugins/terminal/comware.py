"""H3C Comware 7 terminal for ansible.netcommon.network_cli: prompts, error lines, paging off.

No collection that pip or Debian installs covers Comware (H3C's own h3c_open.comware is only on
Galaxy), so the lab's network_cli test carries this small stand-in. It sends what that collection
sends when a session opens (`screen-length disable`) and reads the prompts and errors Comware 7
prints: `<Sysname>` in user view, `[Sysname…]` in system views, `% Unrecognized command found at
'^' position.` and its siblings (tests/corpus/QUIRKS.md, VENDOR-SYNTAX.md §3).
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleConnectionFailure
from ansible_collections.ansible.netcommon.plugins.plugin_utils.terminal_base import TerminalBase


class TerminalModule(TerminalBase):
    terminal_stdout_re = [re.compile(rb"[\r\n]?[<\[][\w.:/-]+[>\]]\s*$")]
    # "% Wrong parameter…", never a log line ("%May 16 11:04:37:748 2025 …" has no blank after the %)
    terminal_stderr_re = [re.compile(rb"% (?:Unrecognized|Incomplete|Ambiguous|Too many|Wrong) \w+")]

    def on_open_shell(self) -> None:
        try:
            self._exec_cli_command(b"screen-length disable")
        except AnsibleConnectionFailure as e:
            raise AnsibleConnectionFailure("unable to turn paging off with `screen-length disable`") from e
