// Registers <llmrec-recommendations> (the widget bundle's entry; importing it has this one side effect).
import { LlmrecRecommendations } from './recommendations-element.ts';

if (!customElements.get('llmrec-recommendations')) customElements.define('llmrec-recommendations', LlmrecRecommendations);

export { LlmrecRecommendations };
