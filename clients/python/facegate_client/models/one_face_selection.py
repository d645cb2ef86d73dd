from enum import StrEnum


class OneFaceSelection(StrEnum):
    CENTER = "center"
    LARGEST = "largest"
    PRIMARY = "primary"
    REQUIRE_SINGLE = "require_single"

    def __str__(self) -> str:
        return str(self.value)
