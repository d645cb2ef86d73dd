from enum import StrEnum


class VerifyBodyFaceSelection(StrEnum):
    CENTER = "center"
    LARGEST = "largest"
    PRIMARY = "primary"
    REQUIRE_SINGLE = "require_single"

    def __str__(self) -> str:
        return str(self.value)
