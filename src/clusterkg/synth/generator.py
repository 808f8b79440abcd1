"""The record generator: streams records cluster by cluster until the triple estimate reaches the target."""

from __future__ import annotations

import random

from .data import (
    CITIES,
    FOREIGN_REGIONS,
    GIVEN_NAMES,
    HOME_COUNTRIES,
    HOME_WEIGHTS,
    MEASURES,
    ORG_KINDS,
    OUTCOME_KINDS,
    SECTOR_TREE,
    STREETS,
    SURNAMES,
    TARGET_COUNTRIES,
    TOPICS,
)
from .tables import Tables, slug


def _weighted_homes() -> tuple[str, ...]:
    return tuple(code for code, weight in HOME_WEIGHTS for _ in range(weight))


class Generator:
    """Streams records cluster by cluster; keys are made unique by the running cluster number."""

    def __init__(self, tables: Tables, rng: random.Random, target: int) -> None:
        self.t, self.rng, self.target = tables, rng, target
        self.homes = _weighted_homes()
        self.documents: list[str] = []
        self.sectors: list[str] = []
        self.programmes: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.home_regions: dict[str, list[str]] = {}
        self.foreign_regions: list[str] = []
        self.clusters: list[str] = []
        self.n = 0

    def run(self) -> None:
        self._documents(min(5 + self.target // 250_000, 60))
        self._sectors()
        self._programmes(min(3 + self.target // 100_000, 200))
        while self.t.estimate < self.target:
            self._unit()
            self.n += 1

    def _documents(self, count: int) -> None:
        for i in range(count):
            lang = "de" if i % 3 == 1 else "en"
            self.documents.append(
                self.t.emit(
                    "documents.csv",
                    key=f"synthetic-report-{i:03d}",
                    seed_file=f"{i:03d}_synthetic.txt",
                    title=f"Synthetic cluster report {i}" if lang == "en" else f"Synthetischer Bericht {i}",
                    title_lang=lang,
                    publisher="Synthetic Publisher" if i % 2 else None,
                    issued=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
                    language=lang,
                    summary=f"Generated source document number {i}, for benchmarks; states nothing real.",
                )
            )

    def _sectors(self) -> None:
        for key, label, label_de in SECTOR_TREE:
            self.sectors.append(
                self.t.emit("sectors.csv", key=key, label=label, label_lang="en", label_de=label_de)
            )
        for i, (label, label_de) in enumerate(TOPICS):
            broader = SECTOR_TREE[i % len(SECTOR_TREE)][0]
            self.sectors.append(
                self.t.emit(
                    "sectors.csv",
                    key=slug(label),
                    label=label,
                    label_lang="en",
                    label_de=label_de if i % 2 else None,
                    broader=broader,
                )
            )

    def _programmes(self, count: int) -> None:
        rng = self.rng
        for i in range(count):
            doc = self.documents[i % len(self.documents)]
            topic = rng.choice(TOPICS)[0]
            funder = self.t.emit(
                "organisations.csv",
                key=f"funding-ministry-{i}",
                name=f"Ministry for {topic} {i}",
                name_lang="en",
                kind="public-body",
                country=rng.choice(HOME_COUNTRIES[rng.choice(self.homes)]),
                document=doc,
                summary="Public body that funds cluster internationalisation.",
            )
            start = 2007 + rng.randrange(14)
            key = self.t.emit(
                "programmes.csv",
                key=f"programme-{i}",
                name=f"{topic} internationalisation programme {i}",
                name_lang="en",
                acronym=f"P{i}IP" if i % 2 else None,
                funder=funder,
                period_start=start,
                period_end=start + rng.randrange(2, 7),
                document=doc,
                summary=f"Funding programme for clusters working on {topic.lower()} abroad.",
            )
            self.programmes.append(key)
            if i % 2 == 0:
                ident = f"COS-CLUSINT-{start}-{i}-01"
                self.calls.append(
                    (
                        self.t.emit(
                            "calls.csv",
                            key=ident.lower(),
                            identifier=ident,
                            name=ident,
                            name_lang="en",
                            programme=key,
                            document=doc,
                        ),
                        key,
                    )
                )

    def _document(self) -> str:
        return self.documents[self.rng.randrange(len(self.documents))]

    def _home_region(self, iso: str) -> str:
        regions = self.home_regions.setdefault(iso, [])
        if regions and self.rng.random() > 0.1:
            return self.rng.choice(regions)
        rng, number = self.rng, self.n
        name = f"{rng.choice(CITIES[iso])} {rng.choice(('Region', 'Metropolregion', 'Valley', 'Land'))}"
        parent = rng.choice(regions) if regions and rng.random() < 0.25 else None
        key = self.t.emit(
            "regions.csv",
            key=f"{slug(name)}-{number}",
            name=name,
            name_lang="en",
            kind="metropolitan-area" if parent else rng.choice(("state", "province", "other")),
            country=rng.choice(HOME_COUNTRIES[iso]),
            parent_region=parent,
            document=self._document(),
        )
        regions.append(key)
        return key

    def _foreign_region(self) -> str:
        if len(self.foreign_regions) > self.n // 12 and self.foreign_regions:
            return self.rng.choice(self.foreign_regions)
        name, kind, country = FOREIGN_REGIONS[len(self.foreign_regions) % len(FOREIGN_REGIONS)]
        key = self.t.emit(
            "regions.csv",
            key=f"{slug(name)}-{len(self.foreign_regions)}",
            name=name,
            name_lang="en",
            kind=kind,
            country=country,
            document=self._document(),
        )
        self.foreign_regions.append(key)
        if country is None and name == "Asia-Pacific":  # a region the text lists the countries of
            for code in ("CHN", "AUS", "SGP"):
                self.t.emit(
                    "region_countries.csv",
                    key=f"{key}-{code.lower()}",
                    region=key,
                    country_code=code,
                    as_written="including China, Australia and Singapore",
                    document=self._document(),
                )
        return key

    def _unit(self) -> None:
        rng, i = self.rng, self.n
        iso = rng.choice(self.homes)
        topic, topic_de = rng.choice(TOPICS)
        german = iso == "DEU" and rng.random() < 0.5
        name = f"{topic_de}cluster {rng.choice(CITIES[iso])}" if german else f"{topic} Cluster {i}"
        doc, region = self._document(), self._home_region(iso)
        org = self._managing_body(name, iso, region, doc)
        cluster = self.t.emit(
            "clusters.csv",
            key=f"{slug(name)}-{i}",
            name=name,
            name_lang="de" if german else "en",
            alt_name=f"Cluster {topic}" if rng.random() < 0.3 else None,
            acronym="".join(w[0] for w in name.split()).upper() if rng.random() < 0.2 else None,
            kind="cluster",
            managed_by=org,
            city=rng.choice(CITIES[iso]) if rng.random() < 0.6 else None,
            region=region,
            country=rng.choice(HOME_COUNTRIES[iso]),
            founded=1990 + rng.randrange(30) if i % 4 == 0 else None,
            document=doc,
            summary=f"{topic} cluster of industry and research partners that works abroad.",
        )
        self.clusters.append(cluster)
        self._classify("cluster", cluster, doc, rng.randint(1, 3))
        self._figures("cluster", cluster, doc, rng.randint(0, 2))
        self._contact(cluster, org, doc)
        if rng.random() < 0.8:
            self._project(cluster, name, doc)
        if i % 6 == 5:
            self._partnership(topic, doc)
        if rng.random() < 0.15:
            self.t.emit(
                "mentions.csv",
                key=f"{cluster}-mention",
                cluster=cluster,
                name_as_written=name.upper(),
                document=self._document(),
            )

    def _managing_body(self, cluster_name: str, iso: str, region: str, doc: str) -> str:
        rng = self.rng
        addressed = rng.random() < 0.7
        return self.t.emit(
            "organisations.csv",
            key=f"{slug(cluster_name)}-{self.n}-management",
            name=f"{cluster_name} e.V." if iso == "DEU" else f"{cluster_name} Management",
            name_lang="de" if iso == "DEU" else "en",
            alt_name=None,
            acronym=None,
            kind=rng.choice(("association", "company", "network")),
            street=f"{rng.choice(SURNAMES)}{rng.choice(STREETS).lower()} {rng.randint(1, 120)}"
            if addressed
            else None,
            postcode=f"{rng.randint(1000, 99999):05d}" if addressed else None,
            city=rng.choice(CITIES[iso]) if addressed else None,
            region=region,
            country=rng.choice(HOME_COUNTRIES[iso]),
            founded=None,
            website=f"https://www.cluster-{self.n}.example.org/" if rng.random() < 0.3 else None,
            document=doc,
            summary="Organisation that runs the cluster.",
        )

    def _partner_abroad(self, doc: str, number: int) -> str:
        rng = self.rng
        iso = rng.choice(tuple(TARGET_COUNTRIES))
        name = f"{rng.choice(('Institute of', 'University of', 'Centre for'))} {rng.choice(TOPICS)[0]}"
        return self.t.emit(
            "organisations.csv",
            key=f"{slug(name)}-{self.n}-{number}",
            name=name,
            name_lang="en",
            acronym=None,
            kind=rng.choice(ORG_KINDS),
            city=None,
            country=rng.choice(TARGET_COUNTRIES[iso]),
            document=doc,
            summary="Partner abroad named in a cluster's internationalisation project.",
        )

    def _classify(self, column: str, subject: str, doc: str, count: int) -> None:
        for sector in self.rng.sample(self.sectors, count):
            self.t.emit(
                "classifications.csv",
                key=f"{subject}-{sector}",
                sector=sector,
                document=doc,
                **{column: subject},
            )

    def _figures(self, column: str, subject: str, doc: str, count: int) -> None:
        rng = self.rng
        for measure, unit, wording in rng.sample(MEASURES, count):
            value = rng.randint(5, 900) if unit is None else round(rng.uniform(0.5, 90.0), 1)
            self.t.emit(
                "figures.csv",
                key=f"{subject}-{measure}",
                measure=measure,
                value=value,
                unit=unit,
                qualifier=rng.choice(("exact", "approximately", "more-than")),
                year=2010 + rng.randrange(12) if rng.random() < 0.4 else None,
                as_written=wording.format(v=value),
                document=doc,
                **{column: subject},
            )
            if column == "cluster" and self.t.rows["figures.csv"] % 20 == 1:  # a figure with a subjects row
                self.t.emit(
                    "figure_subjects.csv",
                    key=f"{subject}-{measure}-{subject}",
                    figure=f"{subject}-{measure}",
                    cluster=subject,
                    document=doc,
                )

    def _contact(self, cluster: str, org: str, doc: str) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            self.t.emit(
                "contacts.csv",
                key=f"{cluster}-contact",
                cluster=cluster,
                organisation=org,
                person_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}",
                job_title=rng.choice(("Clustermanagerin", "International Relations", None)),
                phone=f"+49 (0) {rng.randint(30, 999)} {rng.randint(10000, 999999)}",
                fax=f"+49 {rng.randint(30, 999)} {rng.randint(1000, 99999)}" if rng.random() < 0.4 else None,
                email=f"contact-{self.n}@cluster.example.org" if rng.random() < 0.1 else None,
                document=doc,
            )

    def _project(self, cluster: str, cluster_name: str, doc: str) -> None:
        rng = self.rng
        acronym = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVW") for _ in range(rng.randint(3, 6)))
        named = rng.random() < 0.6
        call, programme = (None, rng.choice(self.programmes))
        if rng.random() < 0.1:
            call, programme = rng.choice(self.calls)
        start = 2012 + rng.randrange(10) if call else None
        project = self.t.emit(
            "projects.csv",
            key=f"{acronym.lower()}-{self.n}",
            name=acronym if named else f"Internationalisation project of {cluster_name}",
            name_lang="en",
            named_in_source="true" if named else "false",
            acronym=acronym if named else None,
            cluster=cluster,
            programme=programme,
            call=call,
            start_year=start,
            start_month=rng.randint(1, 12) if start else None,
            end_year=start + 2 if start else None,
            document=doc,
            summary=f"Takes the cluster {cluster_name} to markets abroad in two phases.",
        )
        for phase_type in ("concept", "implementation")[: 2 if rng.random() < 0.7 else 1]:
            phase = self.t.emit(
                "phases.csv",
                key=f"{project}-{phase_type}",
                project=project,
                phase_type=phase_type,
                duration_months=rng.choice((12, 18, 24)) if rng.random() < 0.1 else None,
                document=doc,
            )
            self._targets(f"{project}-{phase_type}", doc, rng.randint(1, 4), project=project, phase=phase)
        self._members(project, cluster, doc)
        self._outcomes(project, doc)
        self._classify("project", project, doc, 1)
        self._figures("project", project, doc, 1 if rng.random() < 0.3 else 0)

    def _targets(self, prefix: str, doc: str, count: int, **owner: str) -> None:
        rng = self.rng
        if "project" in owner and not owner.get("phase"):
            owner = {**owner, "phase_stated": "false"}  # a project target says when its phase is not stated
        for iso in rng.sample(tuple(TARGET_COUNTRIES), count):
            written = rng.choice(TARGET_COUNTRIES[iso])
            tentative = rng.random() < 0.1
            self.t.emit(
                "target_markets.csv",
                key=f"{prefix}-{iso.lower()}",
                country=written,
                certainty="tentative" if tentative else "stated",
                maturity=rng.choice(("mature", "less-mature")) if rng.random() < 0.05 else None,
                as_written=f"possibly {written}" if tentative else written,
                document=doc,
                **owner,
            )
        if rng.random() < 0.08:
            region = self._foreign_region()
            self.t.emit(
                "target_markets.csv",
                key=f"{prefix}-{region}",
                region=region,
                certainty="stated",
                as_written=region.rsplit("-", 1)[0].replace("-", " ").title(),
                document=doc,
                **owner,
            )

    def _members(self, project: str, cluster: str, doc: str) -> None:
        rng = self.rng
        self.t.emit(
            "memberships.csv",
            key=f"{project}-lead-{cluster}",
            project=project,
            cluster=cluster,
            role="lead",
            document=doc,
        )
        for number in range(rng.randint(0, 2)):
            org = self._partner_abroad(doc, number)
            self.t.emit(
                "memberships.csv",
                key=f"{project}-partner-{org}",
                project=project,
                organisation=org,
                role="partner",
                document=doc,
            )
        if rng.random() < 0.3:
            region = self._foreign_region()
            self.t.emit(
                "memberships.csv",
                key=f"{project}-partner-region-{region}",
                project=project,
                region=region,
                role="partner-region",
                document=doc,
            )

    def _outcomes(self, project: str, doc: str) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            iso = rng.choice(tuple(TARGET_COUNTRIES))
            written, kind = rng.choice(TARGET_COUNTRIES[iso]), rng.choice(OUTCOME_KINDS)
            count = rng.randint(1, 4)
            self.t.emit(
                "outcomes.csv",
                key=f"{project}-{kind}-{iso.lower()}",
                project=project,
                kind=kind,
                count=count,
                country=written,
                document=doc,
                as_written=f"{count} {kind.replace('-', ' ')}(s) with {written}",
            )

    def _partnership(self, topic: str, doc: str) -> None:
        rng, number = self.rng, self.n // 6
        members = rng.sample(self.clusters, min(len(self.clusters), rng.randint(2, 4)))
        countries = rng.sample(tuple(HOME_COUNTRIES), rng.randint(3, 8))
        key = self.t.emit(
            "partnerships.csv",
            key=f"escp-{slug(topic)}-{number}",
            name=f"European {topic} Cluster Partnership",
            name_lang="en",
            acronym=f"E{topic[:2].upper()}CP" if rng.random() < 0.5 else None,
            kind=rng.choice(("escp", "escp", "alliance", "network", "escp-4x")),
            partner_count=len(members) + 2,
            partner_country_count=len(countries),
            programme=rng.choice(self.programmes) if number % 3 == 0 else None,
            document=doc,
            summary=f"European Strategic Cluster Partnership in {topic.lower()}.",
        )
        for iso in countries:
            written = rng.choice(HOME_COUNTRIES[iso])
            self.t.emit(
                "partner_countries.csv",
                key=f"{key}-{iso.lower()}",
                partnership=key,
                country=written,
                as_written=written,
                document=doc,
            )
        for index, cluster in enumerate(members):
            role = "lead" if index == 0 else "partner"
            self.t.emit(
                "memberships.csv",
                key=f"{key}-{role}-{cluster}",
                partnership=key,
                cluster=cluster,
                role=role,
                document=doc,
            )
        self._targets(f"{key}-target", doc, rng.randint(2, 5), partnership=key)
        self._classify("partnership", key, doc, rng.randint(1, 2))
        self._figures("partnership", key, doc, 1)
