// The query page's SPARQL editor: CodeMirror 6 with the SPARQL mode, completion of
// keywords, prefixes, ontology terms, variables and the graph's entities, Ctrl-Enter to run.
// Bundled by build.mjs into kg/serve/static/build/editor.js; kg/serve/static/query.js
// uses it through window.KGEditor and falls back to a textarea when it is missing.
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion,
} from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

const KEYWORDS = [
  "SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "VALUES",
  "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX",
  "ASC", "DESC", "AS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "STR", "LANG",
  "LANGMATCHES", "CONTAINS", "STRSTARTS", "REGEX", "COALESCE", "IF", "EXISTS", "NOT EXISTS", "YEAR",
];

// The prefixes a query declares: name → namespace.
function declaredPrefixes(text) {
  const found = {};
  for (const m of text.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>/gi)) found[m[1] || ""] = m[2];
  return found;
}

function prefixLine(name, namespace) {
  return `PREFIX ${name}: <${namespace}>\n`;
}

// Where the PREFIX lines end: a new declaration goes after the last one.
function prefixInsertPosition(doc) {
  let position = 0;
  for (let i = 1; i <= doc.lines; i++) {
    const line = doc.line(i);
    if (/^\s*PREFIX\s/i.test(line.text)) position = line.to + 1;
    else if (line.text.trim() && !line.text.trim().startsWith("#")) break;
  }
  return Math.min(position, doc.length);
}

function makeCompletion(vocabulary, search) {
  const byPrefix = {};
  for (const term of vocabulary.terms || []) {
    const [prefix] = term.name.split(":");
    (byPrefix[prefix] = byPrefix[prefix] || []).push(term);
  }
  const entityPrefixes = new Set(vocabulary.entityPrefixes || []);

  return async (context) => {
    const text = context.state.doc.toString();
    const declared = declaredPrefixes(text);

    // PREFIX declarations: "PREFIX k" → "PREFIX kg: <…>"
    const declaration = context.matchBefore(/PREFIX\s+[\w-]*:?/i);
    if (declaration) {
      const start = declaration.from + declaration.text.match(/PREFIX\s+/i)[0].length;
      return {
        from: start,
        options: Object.entries(vocabulary.prefixes || {}).map(([name, ns]) => ({
          label: `${name}: <${ns}>`, type: "namespace", detail: "prefix",
        })),
      };
    }
    // Variables already used in the query.
    const variable = context.matchBefore(/[?$][\w\u4e00-\u9fff]*/);
    if (variable) {
      const names = new Set([...text.matchAll(/[?$]([\w\u4e00-\u9fff]+)/g)].map((m) => m[1]));
      names.delete(variable.text.slice(1));
      return { from: variable.from, options: [...names].map((n) => ({ label: "?" + n, type: "variable" })) };
    }
    // Prefixed names: kg:lea → kg:leadsChain (ontology terms), place:金华 → place:330700 (entities).
    const prefixed = context.matchBefore(/[A-Za-z][\w-]*:[^\s{}()<>,;."']*/);
    if (prefixed) {
      const [prefix, local] = [prefixed.text.split(":")[0], prefixed.text.split(":").slice(1).join(":")];
      const namespace = declared[prefix] || (vocabulary.prefixes || {})[prefix];
      if (!namespace) return null;
      const declare = declared[prefix] ? null : { prefix, namespace };
      let options = (byPrefix[prefix] || []).map((term) => ({
        label: term.name, type: term.kind === "class" ? "class" : "property",
        detail: [term.zh, term.en].filter(Boolean).join(" · "), info: term.comment || undefined,
      }));
      if (entityPrefixes.has(prefix) && local) {
        const found = await search(local, vocabulary.prefixes[prefix]);
        options = options.concat(found.map((hit) => ({
          label: prefix + ":" + hit.iri.slice(vocabulary.prefixes[prefix].length),
          displayLabel: `${prefix}:${hit.label}`, detail: [hit.cls, hit.iri.slice(vocabulary.prefixes[prefix].length)].join(" · "),
          type: "constant", boost: 50 - hit.rank,
        })));
      }
      return {
        from: prefixed.from,
        filter: !(entityPrefixes.has(prefix) && local),
        options: options.map((option) => ({
          ...option,
          apply: (view, completion, from, to) => {
            const changes = [{ from, to, insert: completion.label }];
            if (declare) {
              changes.push({ from: prefixInsertPosition(view.state.doc), insert: prefixLine(declare.prefix, declare.namespace) });
            }
            view.dispatch({ changes });
          },
        })),
      };
    }
    const word = context.matchBefore(/[A-Za-z_]+/);
    if (!word && !context.explicit) return null;
    return {
      from: word ? word.from : context.pos,
      options: KEYWORDS.map((k) => ({ label: k, type: "keyword" }))
        .concat(Object.keys(vocabulary.prefixes || {}).map((p) => ({ label: p + ":", type: "namespace", detail: vocabulary.prefixes[p] }))),
    };
  };
}

// A textarea becomes an editor; the textarea stays in the form, kept in step.
function create(textarea, options) {
  const vocabulary = options.vocabulary || { prefixes: {}, terms: [] };
  const search = options.search || (async () => []);
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
        bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(), lintGutter(),
        StreamLanguage.define(sparql), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [makeCompletion(vocabulary, search)], activateOnTyping: true, icons: true }),
        placeholder("SELECT …  (Ctrl-Space completes, Ctrl-Enter runs)"),
        Prec.highest(keymap.of([
          { key: "Mod-Enter", run: () => { options.onRun && options.onRun(); return true; } },
          { key: "Shift-Enter", run: () => { options.onRun && options.onRun(); return true; } },
        ])),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
            options.onChange && options.onChange();
          }
        }),
        EditorView.theme({ "&": { fontSize: "13px", border: "1px solid #bbb" }, ".cm-scroller": { fontFamily: "'DejaVu Sans Mono', monospace, 'KG Sans'" } }),
      ],
    }),
  });
  textarea.style.display = "none";
  textarea.parentNode.insertBefore(view.dom, textarea);
  return {
    kind: "codemirror",
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
    complete: () => startCompletion(view),
    clearError: () => view.dispatch(setDiagnostics(view.state, [])),
    // The parser's position (1-based line and column) marked in the text.
    markError: (line, column, message) => {
      const doc = view.state.doc;
      const at = doc.line(Math.max(1, Math.min(line, doc.lines)));
      const from = Math.min(at.from + Math.max(0, column - 1), at.to);
      view.dispatch(setDiagnostics(view.state, [{ from, to: Math.min(from + 1, doc.length), severity: "error", message }]));
    },
  };
}

window.KGEditor = { create };
