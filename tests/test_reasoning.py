"""The data model holds up under tools nobody here wrote.

- The OWL API's profile checkers (Debian's libowlapi-java, run by tests/owl/ProfileCheck.java):
  the ontology, and the ontology with a built graph, are OWL 2 DL and OWL 2 RL.
- HermiT (through owlready2, on the installed Java): the ontology, the axioms of the outside
  vocabularies that bear on it (tests/fixtures/owl/outside-axioms.ttl) and the built graph are
  consistent; disjointness makes a corrupted graph inconsistent; no project is inferred an
  organisation; every assertion's triple is read (an rdf:Statement's would be dropped).
- owlrl (OWL RL and RDFS in Python): after inference the graph still passes the shapes, and
  "document mentions X" does not become "document is about X".
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.build.validate import validate_triples
from kg.model.resources import ontology_file
from kg.model.terms import oxigraph_triples
from kg.model.vocab import KG, SCHEMA

from .conftest import FIXTURES

OUTSIDE_AXIOMS = FIXTURES / "owl" / "outside-axioms.ttl"
PROFILE_CHECK = Path(__file__).parent / "owl" / "ProfileCheck.java"
JAVA_LIBRARIES = Path("/usr/share/java")
OWLAPI_JARS = ("owlapi-distribution", "guava", "caffeine", "commons-io", "hppcrt", "slf4j-api", "slf4j-nop",
               "atinject-jsr330-api", "commons-rdf-api", "jsr305", "xz", "commons-codec", "jackson-core",
               "jackson-databind", "jackson-annotations", "httpclient", "httpcore", "commons-logging", "jaxb-api")


def _require(what: str, present: bool) -> None:
    """Skip where a tool is missing, unless KG_REQUIRE_OWL_TOOLS is set (CI sets it)."""
    if not present:
        if os.environ.get("KG_REQUIRE_OWL_TOOLS"):
            pytest.fail(f"{what} is required (.ci/run installs it)")
        pytest.skip(f"{what} is not installed")


def _owlapi_classpath() -> str:
    _require("Java (a JDK: javac runs the checker)", bool(shutil.which("java") and shutil.which("javac")))
    _require("the OWL API (apt-get install libowlapi-java)", (JAVA_LIBRARIES / "owlapi-distribution.jar").is_file())
    jars = [JAVA_LIBRARIES / f"{name}.jar" for name in OWLAPI_JARS]
    jars += sorted(p for p in JAVA_LIBRARIES.glob("rdf4j-*.jar") if not p.stem.split("-")[-1][:1].isdigit())
    return ":".join(str(j) for j in jars if j.is_file())


def profile_violations(path: Path) -> dict[str, list[str]]:
    """Profile name → the OWL API's violations of it, for the ontology document at `path`."""
    run = subprocess.run(["java", "-cp", _owlapi_classpath(), str(PROFILE_CHECK), str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    profiles: dict[str, list[str]] = {}
    current = None
    for line in run.stdout.splitlines():
        if line.startswith("PROFILE "):
            current = line.split()[1]
            profiles[current] = []
        elif line.startswith("  ") and current:
            profiles[current].append(line.strip())
    return profiles


@pytest.fixture(scope="module")
def built_union(corpus_build) -> Graph:
    """The seed corpus as built (all named graphs: documents, reference, ontology, description)."""
    return Graph().parse(corpus_build.files["turtle"])


@pytest.mark.slow
def test_ontology_is_owl2_dl_and_owl2_rl():
    profiles = profile_violations(ontology_file("kg.ttl"))
    assert profiles == {"OWL2_DL": [], "OWL2_RL": []}, profiles


@pytest.mark.slow
def test_ontology_with_a_built_graph_is_owl2_dl_and_owl2_rl(corpus_build):
    """Every term the graph uses is declared (undeclared prov:, qb:, skos: terms would be read
    as annotations), and no reserved vocabulary (rdf:Statement) is used."""
    profiles = profile_violations(corpus_build.files["turtle"])
    assert profiles == {"OWL2_DL": [], "OWL2_RL": []}, {k: v[:10] for k, v in profiles.items()}


# ---------------------------------------------------------------------- HermiT
def _hermit_world(graph: Graph, tmp_path: Path):
    owlready2 = pytest.importorskip("owlready2")
    _require("Java", bool(shutil.which("java")))
    everything = Graph()
    everything += graph
    everything.parse(ontology_file("kg.ttl"))
    everything.parse(OUTSIDE_AXIOMS)
    path = tmp_path / "all.nt"
    everything.serialize(path, format="nt", encoding="utf-8")
    owlready2.JAVA_EXE = shutil.which("java")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
    return owlready2, world, ontology


@pytest.mark.slow
def test_hermit_finds_the_built_graph_consistent_and_no_project_an_organisation(built_union, tmp_path):
    owlready2, world, ontology = _hermit_world(built_union, tmp_path)
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)   # raises if inconsistent
    project, organisation = world[str(KG.Project)], world[str(SCHEMA.Organization)]
    assert organisation not in project.ancestors()
    projects = list(project.instances())
    assert projects and not any(organisation in p.is_a or organisation in p.INDIRECT_is_a for p in projects)
    # The n-ary assertions are read as what they are: each has its subject, predicate and object.
    assertion = world[str(KG.Assertion)]
    read = [a for a in assertion.instances() if world[str(KG.subject)][a] and world[str(KG.object)][a]]
    assert len(read) == len(set(built_union.subjects(RDF.type, KG.Assertion))) > 400


@pytest.mark.slow
def test_hermit_finds_a_company_that_is_also_a_place_inconsistent(small_build, tmp_path):
    graph = Graph().parse(small_build.files["turtle"])
    company = sorted(graph.subjects(RDF.type, KG.Company))[0]
    graph.add((company, RDF.type, KG.Place))
    owlready2, world, ontology = _hermit_world(graph, tmp_path)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


# ---------------------------------------------------------------------- OWL RL and RDFS in Python
def _closure(graph: Graph, semantics: str) -> Graph:
    owlrl = pytest.importorskip("owlrl")
    closed = Graph()
    closed += graph
    closed.parse(OUTSIDE_AXIOMS)
    kind = {"owl-rl": owlrl.OWLRL_Semantics, "rdfs": owlrl.RDFS_Semantics}[semantics]
    owlrl.DeductiveClosure(kind, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return closed


def _as_built(closed: Graph, original: Graph) -> list:
    """The closure without generalised triples (literal subjects) and without the copies of a
    triple that owlrl's RDFS makes for each literal it takes for the same value ("75"^^xsd:integer
    → "75"^^xsd:decimal, "名称"@zh → "名称", true → 1): SHACL counts terms, not values. No RDFS
    rule gives a subject a new literal for a property it already has one for, so those are them."""
    def copy_of_a_literal(t) -> bool:
        return (isinstance(t[2], Literal) and t not in original
                and any(isinstance(o, Literal) for o in original.objects(t[0], t[1])))
    return oxigraph_triples(t for t in closed if not isinstance(t[0], Literal) and not copy_of_a_literal(t))


@pytest.fixture(scope="module")
def closures(built_union) -> dict[str, Graph]:
    return {}


def closure(closures, built_union, semantics: str) -> Graph:
    if semantics not in closures:
        closures[semantics] = _closure(built_union, semantics)
    return closures[semantics]


@pytest.mark.slow
@pytest.mark.parametrize("semantics", ["owl-rl", "rdfs"])
def test_shapes_hold_after_inference(built_union, closures, semantics):
    """leadsChain ⊑ inIndustry adds inIndustry facts, partOf's transitivity adds links: the
    evidence of the sub-property and the links it follows from back them."""
    closed = closure(closures, built_union, semantics)
    assert len(closed) > len(built_union) * 1.5
    leads = set(built_union.subject_objects(KG.leadsChain))
    assert leads and leads <= set(closed.subject_objects(KG.inIndustry)), "leadsChain ⊑ inIndustry"
    result = validate_triples(_as_built(closed, built_union), f"after {semantics}")
    assert result.conforms, result.text[:3000]


@pytest.mark.slow
def test_inference_makes_no_document_about_what_it_only_mentions(built_union, closures):
    closed = closure(closures, built_union, "owl-rl")
    about = set(closed.triples((None, SCHEMA.about, None)))
    assert about == set(built_union.triples((None, SCHEMA.about, None))) and len(about) == 7
    mentioned = set(built_union.subject_objects(KG.mentionedIn))
    assert {(doc, entity) for entity, doc in mentioned} <= set(closed.subject_objects(SCHEMA.mentions))
    projects = set(closed.subjects(RDF.type, KG.Project))
    assert projects and not projects & set(closed.subjects(RDF.type, SCHEMA.Organization))


def test_extractor_iris_and_entity_iris_hold_no_encoded_slash(built_union):
    iris = {str(t) for triple in built_union for t in triple if isinstance(t, URIRef)}
    assert iris and not [i for i in iris if "%" in i]
    assert any("/extractor/" in i for i in iris)


def test_no_rdf_reification_left(built_union):
    reserved = {RDF.subject, RDF.predicate, RDF.object, RDF.Statement}
    assert not [t for t in built_union if t[1] in reserved or t[2] in reserved]
    assert URIRef(str(KG.subject)) in set(built_union.predicates())
