"""A tiny terminal screen: replays what a program wrote (text, carriage
returns, newlines, cursor up/down, erase in line) and gives the lines left on
the screen, so that a test can see what a person would see at the end."""

from __future__ import annotations

import re

_CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


def final_screen(text: str) -> list[str]:
    lines: list[list[str]] = [[]]
    row = col = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\x1b":
            match = _CSI.match(text, i)
            if match is None:
                i += 1
                continue
            arg, command = match.groups()
            n = int(arg) if arg.isdigit() else None
            if command == "A":
                row = max(0, row - (n or 1))
            elif command == "B":
                row += n or 1
            elif command == "C":
                col += n or 1
            elif command == "D":
                col = max(0, col - (n or 1))
            elif command == "G":
                col = (n or 1) - 1
            elif command == "K":
                while len(lines) <= row:
                    lines.append([])
                if n == 2:
                    lines[row] = []
                elif n == 1:
                    lines[row][:col] = [" "] * min(col, len(lines[row]))
                else:
                    del lines[row][col:]
            i = match.end()
            continue
        if char == "\r":
            col = 0
        elif char == "\n":
            row += 1
            col = 0
        else:
            while len(lines) <= row:
                lines.append([])
            line = lines[row]
            while len(line) < col:
                line.append(" ")
            if col < len(line):
                line[col] = char
            else:
                line.append(char)
            col += 1
        while len(lines) <= row:
            lines.append([])
        i += 1
    out = ["".join(line).rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out
