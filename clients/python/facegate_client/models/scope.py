from enum import StrEnum


class Scope(StrEnum):
    ADMIN = "admin"
    ENROLL = "enroll"
    IDENTIFY = "identify"
    SUBJECTSREAD = "subjects:read"
    SUBJECTSWRITE = "subjects:write"
    VERIFY = "verify"

    def __str__(self) -> str:
        return str(self.value)
