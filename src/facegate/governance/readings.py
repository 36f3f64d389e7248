"""Readings of the Measures where the text is open, as data: docs/rules.md prints them.

Each entry is (article, topic, the reading the rules apply). A rule that depends on a
reading says so in its docstring; changing a reading means changing that rule too.
"""

from __future__ import annotations

READINGS: tuple[tuple[str, str, str], ...] = (
    ("Art. 13 para 1", "What is a public-place device",
     "Decided by three declared facts (scenario.who_can_enter, cameras_point_at, who_is_captured), not by "
     "the venue label. A place only a defined group can enter (residents, staff, students, members) or no "
     "physical place (online) is not a public place. Where anyone can walk in, a device that points at an "
     "area people walk through, or captures whoever is in view, is a public-place device. A terminal at a "
     "service point that captures only the person who steps up and chooses face (camera off until then, "
     "M-10.3) captures no one from the public at large: Arts. 4-10 govern that 1:1 check. Undeclared facts "
     "block (FG-13-07) and count as public."),
    ("Art. 13 para 1 / PIPL Art. 26", "Other purposes in a public place",
     "Art. 13 para 1 limits why a device may be installed in a public place at all (public security); "
     "PIPL Art. 26's separate-consent exception concerns later use of what was collected. So a public-place "
     "device declared for any other purpose is blocking (FG-13-06), with or without separate consent."),
    ("Art. 8 para 2", "Shortest time necessary",
     "Judged per purpose against a ceiling with its reasoning (governance.vocab.PURPOSES). Over the ceiling "
     "needs a stated reason (warning, FG-08-06); over twice the ceiling, or over ten years, only a law or "
     "administrative regulation can justify (blocking, FG-08-07). Retention tied to an event ('until "
     "move-out plus 30 days') is judged on the days after the event, with the fixed days as the outer limit. "
     "Purposes outside the vocabulary get the most cautious ceilings (365 days, 30 after an event)."),
    ("Art. 8 para 1 / Art. 19(4)", "Off-device storage",
     "Storage on any server is outside 存储于人脸识别设备内 (the device is a terminal device), so central "
     "storage needs the Art. 8 exception (separate consent or a law); without it the deployment is blocked "
     "(FG-08-03), as is Internet transmission (FG-08-01)."),
    ("Art. 4", "Purposes outside the vocabulary",
     "特定的目的 and 充分的必要性 are judged, not presumed by a list: a purpose the processor defines needs a "
     "code that names something specific (not 'business', 'service improvement': Art. 12 names 办理业务、"
     "提升服务质量 as pretexts), a description, and a necessity case (FG-04-04, FG-04-05); it still needs an "
     "alternative (Art. 10) and no inducement (Art. 12). A purpose that assesses or predicts traits from "
     "faces is blocked (G-5.1 draft standard, FG-04-06)."),
)
