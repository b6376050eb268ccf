"""The field's language: the words SEND and high needs people use for the same few ideas.

A measure says "Education Health and Care Plans"; an activity says "EHCP", "EHC plan" or "a plan".
A measure says "independent special schools"; an activity says "ISS", "NMSS" or "out-of-area
placements". Each idea below is a *concept* with the phrases that name it. Suggestions match
concepts as well as words, so an activity and a measure that share no word can still meet, and
the phrases found are what the explanation shows a person.

Phrases are matched case-insensitively on whole words; in a phrase, a space also matches a hyphen
or a slash, and a trailing "s?" style plural is written into the phrase where it matters.
Keep this general: vocabulary of the field, never words picked from one activity or one measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# concept -> (what a person calls it, phrases). Order does not matter.
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ehcp": (
        "EHC plans",
        (
            r"ehcps?",
            r"ehc plans?",
            r"ehc needs",
            r"education,? health and care plans?",
            r"education,? health and care \(ehc\) plans?",
            r"statements? of sen",
            r"statutory plans?",
            r"new plans",
            r"issuing a plan",
            r"plans? (?:issued|finalised|ceased)",
        ),
    ),
    "statutory_assessment": (
        "statutory assessment",
        (
            r"(?:ehc |statutory |needs |sen |send )assessments?",
            r"assessment (?:process|processes|thresholds?|panel|team|criteria|decisions?)",
            r"requests? for (?:an? )?(?:ehc |statutory )?assessments?",
            r"(?:agree|agreeing|refuse|refusal|decision|decisions|decide) to assess",
            r"refusals? to assess",
            r"decision making panel",
            r"(?:casework|sen|send|multi agency) panel",
            r"20 weeks?",
            r"twenty weeks?",
            r"timeliness of (?:plans|assessments)",
            r"tribunals?",
            r"appeals?",
            r"mediation",
            r"educational psycholog(?:y|ists?)",
            r"eps?",
            r"quality (?:of|standard for) (?:new |ehc )?plans",
            r"audit of (?:a sample of )?(?:new )?plans",
            r"ehcp qa",
            r"case officers?",
            r"casework",
        ),
    ),
    "annual_review": (
        "annual reviews",
        (
            r"annual reviews?",
            r"year (?:5|9|11) reviews?",
            r"reviews? of (?:ehc |ehcps? |the )?plans",
            r"ceas(?:e|ed|ing) (?:the |a )?plans?",
            r"plans? (?:that )?could be ceased",
            r"ceased",
        ),
    ),
    "banding": (
        "top-up funding and banding",
        (
            r"top ups?",
            r"top up funding",
            r"bandings?",
            r"funding bands?",
            r"higher band",
            r"element 3",
            r"extra hours",
            r"hours of support",
            r"resource allocation system",
        ),
    ),
    "transition": (
        "transition between phases",
        (
            r"transitions?",
            r"transition (?:plan|arrangements|worker|meetings?)",
            r"phase transfers?",
            r"year 6",
            r"year 7",
            r"primary to secondary",
            r"moving (?:from|between|up)",
            r"starting (?:school|reception)",
            r"receiving school",
            r"pupil passports?",
            r"one page profiles?",
            r"preparing for adulthood",
            r"adult social care",
            r"from age 14",
        ),
    ),
    "post16": (
        "post-16 and preparing for adulthood",
        (
            r"post 16",
            r"post sixteen",
            r"16 (?:to )?(?:18|19|25)",
            r"19 (?:to )?25",
            r"(?:fe |further education )?colleges?",
            r"further education",
            r"sixth forms?",
            r"study programmes?",
            r"supported internships?",
            r"apprenticeships?",
            r"preparing for adulthood",
            r"pfa",
            r"independent living",
            r"employment",
            r"destinations",
            r"learners",
            r"young adults?",
            r"neet",
        ),
    ),
    "early_years": (
        "early years",
        (
            r"early years?",
            r"eyfs",
            r"under (?:5|five)s?",
            r"under fives",
            r"pre ?school",
            r"nurser(?:y|ies)",
            r"childminders?",
            r"portage",
            r"child development cent(?:re|er)",
            r"starting reception",
            r"area sencos?",
            r"inclusion fund",
            r"two year olds",
        ),
    ),
    "early_intervention": (
        "early intervention and SEN support",
        (
            r"early (?:intervention|help|support|identification)",
            r"sen support",
            r"send support",
            r"emerging needs?",
            r"escalation",
            r"graduated approach",
            r"without (?:waiting for |needing )?(?:a )?(?:statutory assessment|plan|ehcp)",
            r"before (?:a|any) (?:statutory )?(?:assessment|plan)",
            r"well before",
        ),
    ),
    "slcn": (
        "speech, language and communication",
        (
            r"slcn",
            r"salt",
            r"speech and language",
            r"speech,? language and communication",
            r"language and communication",
            r"communication needs",
            r"speech and language therap(?:y|ists?)",
            r"language (?:sessions|groups?|support)",
            r"language for learning",
        ),
    ),
    "mainstream": (
        "needs met in mainstream schools",
        (
            r"mainstream",
            r"inclusion",
            r"inclusive",
            r"sencos?",
            r"ordinarily available",
            r"oap",
            r"graduated approach",
            r"own classrooms?",
            r"in (?:their )?(?:own|home) schools?",
            r"home school",
            r"(?:exclusions?|excluded)",
            r"inclusion (?:hubs?|funding|partnerships?)",
            r"locality (?:partnerships?|inclusion|panels?)",
            r"support (?:available )?in schools",
            r"teaching assistants?",
            r"whole school",
            r"schools? (?:to )?meet (?:a higher level of )?needs?",
            r"higher level of need",
            r"in class",
            r"in (?:the |their )?classrooms?",
            r"nurture (?:groups?|provision)",
        ),
    ),
    "need_types": (
        "types of need",
        (
            r"semh",
            r"social,? emotional and mental health(?: needs)?",
            r"mental health needs",
            r"autis(?:m|tic)",
            r"asd",
            r"adhd",
            r"dyslexia",
            r"sensory (?:needs|impairments?)",
            r"(?:moderate|severe|profound|specific) learning difficult(?:y|ies)",
            r"mld|sld|pmld|spld",
            r"complex needs",
            r"primary need",
        ),
    ),
    "specialist_places": (
        "local specialist places",
        (
            r"specialist provision",
            r"resource(?:d)? (?:bases?|provisions?|units?)",
            r"special school places",
            r"specialist places",
            r"satellite",
            r"new special schools?",
            r"special free schools?",
            r"(?:send )?sufficiency",
            r"local provision",
            r"(?:send )?capital programme",
            r"place planning",
            r"places? (?:for|in)",
            r"new places",
        ),
    ),
    "independent": (
        "independent and non-maintained special schools",
        (
            r"independent (?:special |specialist |day |residential )*(?:schools?|placements?|places|sector|providers?)",
            r"independent school (?:placements?|places)",
            r"non maintained",
            r"nmss",
            r"iss",
            r"inmss",
            r"out of (?:area|authority|city|borough|county)",
            r"outside the (?:city|borough|county|area)",
            r"ooa",
            r"expensive (?:placements?|provision)",
            r"(?:52 week )?residential (?:school )?placements?",
        ),
    ),
    "ap": (
        "alternative provision",
        (
            r"alternative (?:learning )?provision",
            r"ap",
            r"alp",
            r"pupil referral units?",
            r"prus?",
            r"short stay",
            r"reintegration",
            r"permanent(?:ly)? exclu(?:sion|sions|ded)",
            r"medical needs tuition",
            r"hospital education",
            r"tuition",
        ),
    ),
    "outreach": (
        "outreach and support services",
        (
            r"outreach",
            r"advisory (?:teachers?|teams?|services?)",
            r"(?:learning|sensory|behaviour|inclusion|autism) support (?:teams?|services?)",
            r"specialist teach(?:ing|ers?) (?:teams?|services?)",
            r"traded (?:model|services?)",
            r"support services",
            r"visit schools",
        ),
    ),
    "case_management": (
        "case management system",
        (
            r"case management(?: systems?| modules?)?",
            r"casework (?:system|database)",
            r"synergy",
            r"capita one",
            r"liquidlogic",
            r"mosaic",
            r"ehc hub",
            r"legacy (?:database|system)",
            r"spreadsheets?",
            r"one record",
            r"go live",
            r"digital (?:system|platform)",
        ),
    ),
    "data": (
        "management information and data",
        (
            r"management information",
            r"mi",
            r"data",
            r"dashboards?",
            r"power bi",
            r"kpis?",
            r"performance (?:data|reports?|reporting|framework|indicators?|dashboard)",
            r"reports? (?:currently )?compiled",
            r"business intelligence",
            r"analytics?",
            r"evaluat(?:e|ion) (?:of )?impact",
            r"benchmark(?:s|ing|ed)?",
            r"statistical neighbours?",
            r"section 251",
            r"(?:weekly|monthly|quarterly|termly|annual) (?:reports?|reporting|returns?)",
        ),
    ),
    "forecasting": (
        "forecasting and modelling demand",
        (
            r"forecast(?:s|ing)?",
            r"projections?",
            r"projecting",
            r"predictive",
            r"(?:demand|scenario|predictive|financial) model(?:s|ling)?",
            r"model(?:s|ling)? (?:of )?(?:future )?(?:demand|needs?|growth)",
            r"anticipate (?:future )?demand",
            r"growth (?:assumptions|in (?:plans|demand))",
            r"future (?:needs?|demand)",
            r"mastodon c",
        ),
    ),
    "commissioning": (
        "commissioning and procurement",
        (
            r"commissioning",
            r"commissioned",
            r"recommission(?:ing|ed)?",
            r"commission (?:places|services|provision)",
            r"procure(?:ment)?",
            r"dynamic purchasing system",
            r"dps",
            r"frameworks? (?:agreement|contract)",
            r"contracts?",
            r"contract terms",
            r"(?:re )?tender(?:ing)?",
            r"spot purchas(?:e|ing)",
            r"approved (?:provider )?lists?",
            r"fee (?:bands?|levels?|rates?)",
            r"(?:daily|fixed) (?:rates?|charges?)",
            r"uplifts?",
            r"providers?",
            r"drive down cost",
        ),
    ),
    "health_care": (
        "health and social care contributions",
        (
            r"health",
            r"icbs?",
            r"ccgs?",
            r"nhs",
            r"integrated care boards?",
            r"clinical commissioning groups?",
            r"(?:children'?s )?social care",
            r"joint(?:ly)? fund(?:ed|ing)?",
            r"tripartite",
            r"three way funding",
            r"continuing care",
            r"cost shares?",
            r"apportionment",
            r"care element",
            r"partner funding",
            r"(?:health|care) needs",
        ),
    ),
    "contributions": (
        "funding contributions and income",
        (
            r"contributions?",
            r"funding sources?",
            r"funding streams?",
            r"recoup(?:ment|ed)?",
            r"cross border",
            r"import ?export",
            r"backdated",
            r"(?:paid|pay) for",
            r"charging",
            r"cost shares?",
            r"right budget",
        ),
    ),
    "financial_planning": (
        "financial planning and budget management",
        (
            r"financial (?:planning|practice|management|plans?)",
            r"budget (?:monitoring|management|setting|planning)",
            r"high needs (?:block )?budget",
            r"(?:dsg|deficit) (?:management|recovery) plans?",
            r"recovery plans?",
            r"management plans?",
            r"schools forum",
            r"savings? (?:plan|targets?|broken down)",
            r"medium term financial",
            r"spend against budget",
            r"hnb",
        ),
    ),
    "deficit": (
        "the DSG deficit and council contributions",
        (
            r"deficits?",
            r"cumulative deficit",
            r"accumulated (?:high needs )?deficit",
            r"council (?:funding|contributions?)",
            r"general (?:fund|reserves)",
            r"reserves",
            r"pay down",
            r"alternative council funding",
            r"set aside",
        ),
    ),
    "peer_review": (
        "peer review and external challenge",
        (
            r"peer (?:review|challenge)s?",
            r"lga",
            r"local government association",
            r"external (?:review|challenge)",
            r"independent review",
            r"diagnostic",
            r"recommendations? arising",
            r"resulting action plan",
        ),
    ),
    "local_offer": (
        "the local offer",
        (
            r"local offer",
            r"parent carer forum",
            r"sendiass",
            r"information,? advice and support",
            r"short breaks",
            r"you said,? we did",
            r"families can find",
            r"co production",
            r"website",
        ),
    ),
    "efficiency": (
        "savings and efficiency",
        (
            r"savings?",
            r"saves?",
            r"efficienc(?:y|ies)",
            r"cost effective",
            r"value for money",
            r"drive down cost",
            r"reduce (?:spend|costs?)",
            r"out of high needs",
            r"remove duplication",
        ),
    ),
}

# Words that say an activity is about SEND or high needs at all. Every Safety Valve measure is;
# an activity with none of these (school meals, roofs, teacher recruitment) is a weak match.
SEND_CONTEXT = (
    r"send",
    r"sen",
    r"special educational needs?",
    r"disabilit(?:y|ies)",
    r"high needs?",
    r"hnb",
    r"dsg",
    r"dedicated schools grant",
    r"special (?:schools?|school)",
    r"specialist",
    r"sencos?",
    r"ehcps?",
    r"ehc",
    r"semh",
    r"social,? emotional and mental health",
    r"autis(?:m|tic)",
    r"asd",
    r"adhd",
    r"complex needs?",
    r"learning (?:support|difficult(?:y|ies)|disabilit(?:y|ies))",
    r"sensory",
    r"dyslexia",
    r"inclusion",
    r"alternative provision",
    r"pupil referral",
    r"pru",
    r"resource bases?",
    r"portage",
    r"speech and language",
    r"slcn",
    r"tribunal",
    r"exclusions?",
    r"therap(?:y|ies|ists?|eutic)",
    r"outreach",
    r"statutory assessment",
    r"annual reviews?",
    r"top ups?",
    r"preparing for adulthood",
    r"continuing care",
    r"(?:education|school|specialist|residential) placements?",
)

# Concepts whose words only SEND people use: naming one says the text is about SEND.
SEND_CONCEPTS = frozenset(
    {
        "ehcp",
        "statutory_assessment",
        "annual_review",
        "banding",
        "slcn",
        "ap",
        "independent",
        "outreach",
        "local_offer",
        "early_intervention",
        "need_types",
    }
)


def normalise(text: str) -> str:
    """Lower case, one kind of dash and space, '&' as 'and': what phrases are matched against."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[\u2010-\u2015\-/]+", " ", text)
    return " ".join(text.split())


def _compile(phrase: str) -> str:
    return phrase.replace(" ", r"[\s]+")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    out = {}
    for name, (_, phrases) in CONCEPTS.items():
        body = "|".join(_compile(p) for p in sorted(phrases, key=len, reverse=True))
        out[name] = re.compile(rf"(?<![\w])(?:{body})(?![\w])")
    return out


@lru_cache(maxsize=1)
def _send_pattern() -> re.Pattern[str]:
    body = "|".join(_compile(p) for p in SEND_CONTEXT)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


@dataclass(frozen=True)
class ConceptHit:
    concept: str
    phrases: tuple[str, ...]  # as found in the text, lower case

    @property
    def label(self) -> str:
        return CONCEPTS[self.concept][0]


def concepts(text: str) -> dict[str, ConceptHit]:
    """The concepts a text names, with the phrases that named them (see ``_concepts``)."""
    return dict(_concepts(text))


@lru_cache(maxsize=8192)  # explaining re-reads the same texts many times
def _concepts(text: str) -> tuple[tuple[str, ConceptHit], ...]:
    """The concepts a text names, with the phrases that named them.

    The longest phrase wins where phrases overlap: the "health" inside "education, health and
    care plan" names an EHC plan, not a health partner. The same words may name two concepts
    ("preparing for adulthood" is transition and post-16).
    """
    norm = normalise(text)
    spans = [
        (m.start(), m.end(), name)
        for name, pattern in _patterns().items()
        for m in pattern.finditer(norm)
    ]
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken: list[tuple[int, int]] = []
    found: dict[str, list[str]] = {}
    for start, end, name in spans:
        if any(start < e and s < end and (s, e) != (start, end) for s, e in taken):
            continue
        taken.append((start, end))
        found.setdefault(name, []).append(norm[start:end])
    return tuple(
        (name, ConceptHit(name, tuple(dict.fromkeys(found[name]))))
        for name in CONCEPTS
        if name in found
    )


def about_send(text: str, found: dict[str, ConceptHit] | None = None) -> bool:
    """Does the text say, in any of the field's words, that it is about SEND or high needs?"""
    if _send_pattern().search(normalise(text)) is not None:
        return True
    found = concepts(text) if found is None else found
    return any(c in SEND_CONCEPTS for c in found)


# Ideas that sit close together in the field: an activity on one is partly about the other.
# (a, b, how close, 0..1). A measure on "the EHCP offer" covers assessment and review.
RELATED: tuple[tuple[str, str, float], ...] = (
    ("ehcp", "statutory_assessment", 0.6),
    ("ehcp", "annual_review", 0.6),
    ("statutory_assessment", "annual_review", 0.3),
    ("annual_review", "banding", 0.4),
    ("transition", "post16", 0.4),
    ("independent", "specialist_places", 0.6),
    ("independent", "commissioning", 0.3),
    ("ap", "commissioning", 0.2),
    ("ap", "mainstream", 0.3),
    ("health_care", "contributions", 0.6),
    ("contributions", "financial_planning", 0.5),
    ("deficit", "financial_planning", 0.5),
    ("deficit", "contributions", 0.3),
    ("data", "case_management", 0.5),
    ("data", "forecasting", 0.4),
    ("case_management", "forecasting", 0.3),
    ("mainstream", "early_intervention", 0.5),
    ("mainstream", "outreach", 0.4),
    ("slcn", "early_intervention", 0.4),
    ("early_years", "early_intervention", 0.4),
)

# Ideas that say little on their own (every other measure wants savings): counted at this weight.
WEAK = {"efficiency": 0.4}
