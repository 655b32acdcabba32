// The content of Leeds City Council's 2009/10 H1 progress report for priority VfM-4d
// (../shared/seed/vfm-4d-progress-report-2009-h1.txt), as data. It is the user's own document:
// the demo organisation is loaded from it and the fidelity tests compare every output against it.
// Text is kept exactly as written in the seed, including its spelling.

export const VFM_4D = {
  organisation: { name: 'Leeds City Council', shortName: 'Leeds', kind: 'council' as const },
  partners: [
    { name: 'Local Partnerships', shortName: 'Local Partnerships', kind: 'public_body' as const },
    { name: 'PwC', shortName: 'PwC', kind: 'private' as const },
    { name: 'Yorkshire and Humber RIEP', shortName: 'RIEP', kind: 'public_body' as const },
  ],
  people: [
    { key: 'hemsworth', name: 'Lee Hemsworth', jobTitle: 'Chief Officer (Performance)' },
    { key: 'rogers', name: 'James Rogers', jobTitle: 'Director of Resources' },
    { key: 'hanif', name: 'Arfan Hanif', jobTitle: 'Head of Business Transformation' },
    { key: 'dunn', name: 'Iain Dunn', jobTitle: 'Procurement Manager' },
    { key: 'mcpherson', name: 'John McPherson', jobTitle: 'Communications Manager' },
    { key: 'mcpheely', name: 'Bernard McPheely', jobTitle: 'Programme Manager' },
  ],
  plan: { title: 'Council Business Plan 2008–11', firstYear: 2008, lastYear: 2010 },
  themes: ['Value for Money', 'Our People', 'Our Customers'],
  priority: {
    theme: 'Value for Money',
    code: 'VfM-4d',
    title: 'Explore opportunities for collaboration with private and public sector bodies',
    officer: 'hemsworth',
    director: 'rogers',
    rationale:
      "Exploring opportunities for collaboration is one of the 'Big Ideas' in the Council's Business Plan. Through collaboration we are seeking to deliver significant improvements in value for money (vfm) and efficiency. In order to progress this agenda we are taking part in the national Delivering Efficient Corporate And Transactional Services or DECATS programme. Phase 1 of DECATS provides a diagnostic tool to identify where we might make efficiency savings through standardising and improving our back office functions. This will provide a cross-council baseline in terms of the Council's Business and Service Transformation Programmes. The final output of the detailed diagnostic methodology will be a outline business cases and an implementation plan for transformation across all council processes.",
    groupsInternal: 'Council Directorates involving all Chief Officer portfolio/function areas.',
    groupsExternal: 'External partners Local Partnerships and PwC.',
  },
  report: {
    period: '2009-10-h1',
    status: 'amber',
    statusReason:
      'These discussions have resulted in some delays which is why this has been assessed as amber; however, there is now a robust scope and way forward for this improvement priority and progress is expected to be rapid once the DECATS programme is underway.',
    summary:
      "The scope of the original collaboration brief had been extended to include all key business processes through PwC's transformation diagnostics organisational review tool. Initial contact was made with the Yorkshire and Humber RIEP to examine possible funding opportunities to extend the scope of this work. Lack of commitment from the RIEP resulted in an approach being made directly with Local Partnership's (previously known as 4Ps) DECATS programme with serious consideration given to joining programme with a view to sharing experience and best practice. Benefits and implications of participating in the Local Partnership's DECATS were explored during the summer in conjunction with Chief Officers Resources and Strategy (CORS). It was agreed that the Council join the DECATS programme which will still include the exploration of potential strategic collaborative work with the private and/or public sectors. Local Partnerships are to fund two thirds of costs at 'risk' on the basis the Council will pay for all costs if more than £6 million additional savings can be delivered. These discussions have resulted in some delays which is why this has been assessed as amber; however, there is now a robust scope and way forward for this improvement priority and progress is expected to be rapid once the DECATS programme is underway.",
    achievements: [
      'Agreement to extend scope of collaboration brief to cover a comprehensive range of business processes covering all Council services.',
      'Links made to the national DECATS programme with opportunities to gain and share best practice with others.',
      'Buy-in to proposal in principle by CLT, CORs and Resources & Performance Board',
      "Additional efficiency savings above and beyond the Council's baseline target to be identified and delivered",
      'Two thirds of funding (£100K) to be paid by Local Partnerships at risk ie if an additional £1 million of saving are delivered the council pays back £50K and if an additional £5 million of saving are delivered the council pays back another £50K.',
      "DECATS programme to provide baseline for Council's BT Business Management theme/function",
    ],
    challenges: [
      'Programme not delivered within agreed time scales potential contractual penalties.',
      'Lack of buy-in or commitment within Council to participate in DECATS programme including failure to collate required data and attend appropriate workshop sessions.',
      'Lack of willingness to act on business case opportunities/recommendations, leading to missed opportunities to improve and maximise efficiency outcomes.',
      "Identification of Council's agreed baseline efficiency savings maybe difficult to identify or get a clear Council position.",
      'May lose focus of potential options and benefits to collaborate with the private and/or public sector',
      'Council information in particular bad practice exposed externally through the DECATS programme',
      'Lack of improvement in response to DECATS may be embarrassing for the Council.',
    ],
    signOffs: [
      { role: 'accountable_officer' as const, person: 'hemsworth', date: '2009-10-22' },
      // The seed writes this date as "9/11/09" (UK order): 9 November 2009.
      { role: 'accountable_director' as const, person: 'rogers', date: '2009-11-09' },
    ],
    actions: [
      {
        description:
          'Contractual arrangements to join the DECATS programme to be finalised with clearly defined outcomes. Original collaboration brief contract with PwC to be terminated',
        contributors: ['hanif', 'dunn'],
        milestones: [
          { description: 'Original collaboration contract terminated', timescale: 'Nov 2009' },
          { description: 'Contract with Local Partnerships to join DECATS agreed', timescale: 'Nov 2009' },
        ],
      },
      {
        description:
          'Communication Plan outlining strategy to raise awareness about DECATS and empowering the Council to effectively participate in the programme to be agreed and embedded.',
        contributors: ['mcpherson'],
        milestones: [
          { description: 'Communication Plan agreed', timescale: 'Nov 2009' },
          {
            description:
              'Communication with key stakeholders including senior managers and nominated Head of Service completed',
            timescale: 'Nov 2009',
          },
        ],
      },
      {
        description: 'DECATS programme to be initiated with agreed timescales and outcomes.',
        contributors: ['hanif', 'mcpheely'],
        milestones: [
          { description: 'Contract initiated with buy-in from all key stakeholders', timescale: 'Nov 2009' },
        ],
      },
      {
        description:
          'DECATS programme completed within agreed time scales and business cases identified to maximise efficiency and improvement opportunities',
        contributors: ['hanif', 'mcpheely'],
        milestones: [
          { description: 'DECATS programme completed', timescale: 'Apr 2010' },
          { description: 'Business cases identified and opportunities explored', timescale: 'Apr 2010' },
        ],
      },
    ],
  },
} as const;
