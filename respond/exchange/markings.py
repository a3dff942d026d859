"""The official TLP 2.0 marking definitions, as OASIS publishes them (cti-stix-common-objects, tlp-2.0).

stix2 ships only the TLP 1.0 ones (TLP:WHITE and so on), so these are built here with the ids, names, created
time and property extension OASIS publishes: consumers recognise them by id.
"""

import stix2

TLP_2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
PUBLISHED = "2022-10-01T00:00:00.000Z"

_OFFICIAL = {
    "clear": ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"),
    "green": ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"),
    "amber": ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"),
    "amber+strict": ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT"),
    "red": ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"),
}

TLP_2_MARKINGS = {
    level: stix2.v21.MarkingDefinition(
        id=marking_id,
        created=PUBLISHED,
        name=name,
        extensions={TLP_2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )
    for level, (marking_id, name) in _OFFICIAL.items()
}

# Our TLP values to the TLP 2.0 levels: alerts' (respond.alerts.models.Tlp) and groups' (Marking, which adds red).
LEVEL_OF = {"clear": "clear", "green": "green", "amber": "amber", "amber_strict": "amber+strict", "red": "red"}


def marking_for(tlp: str) -> stix2.v21.MarkingDefinition:
    return TLP_2_MARKINGS[LEVEL_OF[tlp]]
