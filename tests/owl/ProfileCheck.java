// The OWL API's own profile checkers (OWL 2 DL and OWL 2 RL) over one ontology document.
// Run as a single-file program: java -cp <OWL API jars> ProfileCheck.java FILE
// Prints "PROFILE <name> <violations>" per profile, then each violation on a line of its own.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        System.out.println("AXIOMS " + ontology.getAxiomCount() + " " + ontology.getLogicalAxiomCount());
        for (Profiles profile : new Profiles[] {Profiles.OWL2_DL, Profiles.OWL2_RL}) {
            OWLProfileReport report = profile.checkOntology(ontology);
            System.out.println("PROFILE " + profile.name() + " " + report.getViolations().size());
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("  " + violation.toString().replace('\n', ' '));
            }
        }
    }
}
