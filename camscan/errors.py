"""Errors a user can act on. InputError (exit 2) means the command line or an input file was
wrong; the message is one line naming the file or option. Anything else is exit 1."""


class CamscanError(Exception):
    exit_code = 1


class InputError(CamscanError):
    exit_code = 2
